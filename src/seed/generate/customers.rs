//! Companies and their contacts: names walk permutations of the word lists, so domains and
//! `first.last@domain` addresses are unique.

use super::Generator;
use crate::seed::plan::{self, Purpose, NAME_STRIDE};
use crate::seed::words;

impl Generator {
    /// Companies: names walk a permutation of prefix × root × sector, so domains are unique;
    /// past the 22,500 combinations a round number is appended to the domain.
    pub fn companies(&self) -> String {
        let sector_words = &self.lists.sector_words.sql;
        let country_suffixes = &self.lists.country_suffixes.sql;
        let country_tlds = &self.lists.country_tlds.sql;
        let sector_industries = &self.lists.sector_industries.sql;
        let country_codes = &self.lists.country_codes.sql;
        let cities = &self.lists.cities.sql;
        let city_start = &self.lists.city_start.sql;
        let country_currencies = &self.lists.country_currencies.sql;
        let country_phones = &self.lists.country_phones.sql;
        let name_prefixes = &self.lists.name_prefixes.sql;
        let name_roots = &self.lists.name_roots.sql;
        let country_slots = &self.lists.country_slots.sql;
        let space = plan::company_name_space();
        let np = words::NAME_PREFIXES.len();
        let nr = words::NAME_ROOTS.len();
        let offset = self.salts.offset(Purpose::CompanyName, space);
        format!(
            "CREATE TEMP TABLE seed_company ON COMMIT DROP AS
             SELECT b.i,
                    {id} AS id,
                    b.brand || ' ' || {sector_words}[b.sector] AS short_name,
                    b.brand || ' ' || {sector_words}[b.sector]
                        || CASE WHEN {legal} < 0.4 THEN ' ' || {country_suffixes}[b.ci] ELSE '' END
                        AS name,
                    lower(b.brand || {sector_words}[b.sector])
                        || CASE WHEN b.round > 0 THEN (b.round + 1)::text ELSE '' END
                        || '.' || {country_tlds}[b.ci] AS domain,
                    {sector_industries}[b.sector] AS industry,
                    {size} AS size,
                    {country_codes}[b.ci] AS country,
                    {cities}[{city_start}[b.ci] + ({city})::int] AS city,
                    {country_currencies}[b.ci] AS currency,
                    {country_phones}[b.ci] AS phone_prefix,
                    {tier} AS icp_tier,
                    {target} < 0.15 AS is_target_account,
                    {owner} AS owner_id,
                    CASE WHEN {tagged} < 0.6 THEN ARRAY[{tag}] ELSE '{{}}'::text[] END AS tags,
                    jsonb_build_object('founded', 1950 + {founded}) AS custom_fields,
                    b.created_at,
                    b.created_at + (p.as_of - b.created_at) * {updated} AS updated_at
             FROM (
                 SELECT g.i, w.round,
                        {name_prefixes}[1 + (w.combo % {np})::int]
                            || {name_roots}[1 + (w.combo / {np} % {nr})::int] AS brand,
                        1 + (w.combo / {npr})::int AS sector,
                        1 + {country_slots}[1 + ({country})::int] AS ci,
                        p.as_of - interval '1 day' * (60 + {age} * 1000) AS created_at
                 FROM generate_series(1::int8, {companies}::int8) AS g(i)
                 CROSS JOIN seed_params p
                 CROSS JOIN LATERAL (
                     SELECT ((g.i - 1) * {NAME_STRIDE} + {offset}) % {space} AS combo,
                            (g.i - 1) / {space} AS round
                 ) w
             ) b
             CROSS JOIN seed_params p",
            id = self.uuid7(Purpose::CompanyId, "b.created_at", "b.i"),
            legal = self.unit(Purpose::CompanyLegal, "b.i"),
            size = self.pick(Purpose::CompanySize, "b.i", &self.lists.company_sizes),
            city = self.below(
                Purpose::CompanyCity,
                "b.i",
                &self.lists.city_count.at("b.ci")
            ),
            tier = self.pick(Purpose::CompanyTier, "b.i", &self.lists.icp_tiers),
            target = self.unit(Purpose::CompanyTarget, "b.i"),
            owner = self.pick(Purpose::CompanyOwner, "b.i", &self.lists.owners),
            tagged = self.unit(Purpose::CompanyTags, "b.i"),
            tag = self.pick(Purpose::CompanyTags, "b.i * 7", &self.lists.company_tags),
            founded = self.below(Purpose::CompanyFounded, "b.i", "74"),
            updated = self.unit(Purpose::CompanyAge2, "b.i"),
            npr = np * nr,
            country = self.below(
                Purpose::CompanyCountry,
                "g.i",
                &self.lists.country_slots.len.to_string()
            ),
            age = self.unit(Purpose::CompanyAge, "g.i"),
            companies = self.sizes.companies,
        )
    }

    pub fn insert_companies(&self) -> &'static str {
        "INSERT INTO companies (workspace_id, id, name, domain, website, industry, size, country,
                               city, icp_tier, is_target_account, owner_id, tags, custom_fields,
                               created_at, updated_at)
         SELECT p.workspace_id, c.id, c.name, c.domain, 'https://www.' || c.domain, c.industry,
                c.size, c.country, c.city, c.icp_tier, c.is_target_account, c.owner_id, c.tags,
                c.custom_fields, c.created_at, c.updated_at
         FROM seed_company c CROSS JOIN seed_params p
         ORDER BY c.i"
    }

    /// Contacts: contact `j` works at company `(j - 1) % companies + 1`, so every company has
    /// a few; within a company names walk a permutation, so `first.last@domain` is unique.
    pub fn contacts(&self) -> String {
        let first_names = &self.lists.first_names.sql;
        let last_names = &self.lists.last_names.sql;
        let companies = self.sizes.companies;
        let space = plan::contact_name_space();
        let nf = words::FIRST_NAMES.len();
        format!(
            "CREATE TEMP TABLE seed_contact ON COMMIT DROP AS
             SELECT b.i, b.company_idx, c.id AS company_id,
                    {id} AS id,
                    b.first_name, b.last_name,
                    b.first_name || ' ' || b.last_name AS name,
                    lower(b.first_name || '.' || b.last_name) || '@' || c.domain AS email,
                    c.phone_prefix || ' ' || (100 + {phone})::text || ' '
                        || lpad(({phone2})::text, 7, '0') AS phone,
                    {title} AS title,
                    {lifecycle} AS lifecycle_stage,
                    ({score})::int AS lead_score,
                    CASE WHEN {own} < 0.7 THEN c.owner_id ELSE {owner} END AS owner_id,
                    CASE WHEN {tagged} < 0.3 THEN ARRAY[{tag}] ELSE '{{}}'::text[] END AS tags,
                    jsonb_build_object('newsletter_opt_in', {tagged} < 0.5,
                                       'preferred_channel', CASE WHEN {own} < 0.5
                                           THEN 'email' ELSE 'phone' END) AS custom_fields,
                    b.created_at + (p.as_of - b.created_at) * {activity} AS last_activity_at,
                    b.created_at,
                    b.created_at + (p.as_of - b.created_at) * {updated} AS updated_at
             FROM (
                 SELECT g.i, (g.i - 1) % {companies} + 1 AS company_idx,
                        {first_names}[1 + (n.combo % {nf})::int] AS first_name,
                        {last_names}[1 + (n.combo / {nf})::int] AS last_name,
                        p.as_of - interval '1 day' * (30 + {age} * 700) AS created_at
                 FROM generate_series(1::int8, {contacts}::int8) AS g(i)
                 CROSS JOIN seed_params p
                 CROSS JOIN LATERAL (
                     SELECT ({base} + (g.i - 1) / {companies} * {NAME_STRIDE}) % {space} AS combo
                 ) n
             ) b
             JOIN seed_company c ON c.i = b.company_idx
             CROSS JOIN seed_params p",
            id = self.uuid7(Purpose::ContactId, "b.created_at", "b.i"),
            phone = self.below(Purpose::ContactPhone, "b.i", "900"),
            phone2 = self.below(Purpose::ContactPhone2, "b.i", "10000000"),
            title = self.pick(Purpose::ContactTitle, "b.i", &self.lists.job_titles),
            lifecycle = self.pick(
                Purpose::ContactLifecycle,
                "b.i",
                &self.lists.lifecycle_slots
            ),
            score = self.below(Purpose::ContactScore, "b.i", "101"),
            own = self.unit(Purpose::ContactOwner, "b.i"),
            owner = self.pick(Purpose::ContactOwnerPick, "b.i", &self.lists.owners),
            tagged = self.unit(Purpose::ContactTags, "b.i"),
            tag = self.pick(Purpose::ContactTags, "b.i * 7", &self.lists.contact_tags),
            activity = self.unit(Purpose::ContactActivity, "b.i"),
            updated = self.unit(Purpose::ContactUpdated, "b.i"),
            age = self.unit(Purpose::ContactAge, "g.i"),
            base = self.below(
                Purpose::ContactName,
                &format!("(g.i - 1) % {companies} + 1"),
                &space.to_string()
            ),
            contacts = self.sizes.contacts,
        )
    }

    pub fn insert_contacts(&self) -> &'static str {
        "INSERT INTO contacts (workspace_id, id, name, first_name, last_name, email, phone, title,
                              company_id, lifecycle_stage, lead_score, owner_id, tags,
                              custom_fields, last_activity_at, created_at, updated_at)
         SELECT p.workspace_id, c.id, c.name, c.first_name, c.last_name, c.email, c.phone,
                c.title, c.company_id, c.lifecycle_stage, c.lead_score, c.owner_id, c.tags,
                c.custom_fields, c.last_activity_at, c.created_at, c.updated_at
         FROM seed_contact c CROSS JOIN seed_params p
         ORDER BY c.i"
    }
}
