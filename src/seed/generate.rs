//! The set-based SQL that generates the dataset: one statement per table, each an
//! `INSERT … SELECT … FROM generate_series(…)`. Every generated value is a hash of
//! (seeded salt, row number), so a row's content does not depend on evaluation order,
//! parallelism or batch boundaries; the word lists travel once, in the `seed_params` row.
//!
//! Only numbers made here (salts, sizes, offsets), formatted UUIDs and our own constant words
//! (quoted by [`lit`]) are spliced into the SQL text; no user input is.
//!
//! One file, over 500 lines, on purpose: it holds one SQL statement per table of the
//! dataset, and they must agree on the same hashing conventions and salts; split across
//! files, a change to one convention would be easy to miss in the others.

use uuid::Uuid;

mod followups;
mod leads;

use super::plan::{self, Purpose, Salts, Sizes, NAME_STRIDE, PIPELINES};
use super::words;

/// A SQL string literal of one of our constants.
pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn text_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(lit).collect();
    format!("ARRAY[{}]::text[]", items.join(", "))
}

/// A constant SQL array and its length. Spliced into each statement, it is folded into one
/// in-memory constant at plan time; a table column would be de-TOASTed on every row instead.
pub struct List {
    sql: String,
    len: usize,
}

impl List {
    fn text<'a>(items: impl IntoIterator<Item = &'a str>) -> List {
        let items: Vec<&str> = items.into_iter().collect();
        List {
            len: items.len(),
            sql: format!("({})", text_array(items)),
        }
    }

    fn int(items: impl IntoIterator<Item = i32>) -> List {
        let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
        List {
            len: items.len(),
            sql: format!("(ARRAY[{}]::int[])", items.join(",")),
        }
    }

    /// The element at the 1-based SQL integer expression `index`.
    fn at(&self, index: &str) -> String {
        format!("{}[{index}]", self.sql)
    }
}

/// Every word list and weighted table the statements pick from.
struct Lists {
    owners: List,
    first_names: List,
    last_names: List,
    job_titles: List,
    name_prefixes: List,
    name_roots: List,
    sector_words: List,
    sector_industries: List,
    country_codes: List,
    country_tlds: List,
    country_currencies: List,
    country_suffixes: List,
    country_phones: List,
    country_slots: List,
    cities: List,
    city_start: List,
    city_count: List,
    lifecycle_slots: List,
    company_sizes: List,
    icp_tiers: List,
    company_tags: List,
    contact_tags: List,
    products: List,
    partnerships: List,
    sources: List,
    roles: List,
    lost_reasons: List,
    period_slots: List,
    placement_slots: List,
    priorities: List,
}

impl Lists {
    fn new() -> Lists {
        let countries = words::COUNTRIES;
        let mut city_start = Vec::new();
        let mut next = 1;
        for country in countries {
            city_start.push(next);
            next += country.cities.len() as i32;
        }
        let weights: Vec<u32> = countries.iter().map(|c| c.weight).collect();
        let sectors = words::SECTORS;
        Lists {
            owners: List::text(words::OWNERS.iter().copied()),
            first_names: List::text(words::FIRST_NAMES.iter().copied()),
            last_names: List::text(words::LAST_NAMES.iter().copied()),
            job_titles: List::text(words::JOB_TITLES.iter().copied()),
            name_prefixes: List::text(words::NAME_PREFIXES.iter().copied()),
            name_roots: List::text(words::NAME_ROOTS.iter().copied()),
            sector_words: List::text(sectors.iter().map(|(w, _)| *w)),
            sector_industries: List::text(sectors.iter().map(|(_, i)| *i)),
            country_codes: List::text(countries.iter().map(|c| c.code)),
            country_tlds: List::text(countries.iter().map(|c| c.tld)),
            country_currencies: List::text(countries.iter().map(|c| c.currency)),
            country_suffixes: List::text(countries.iter().map(|c| c.legal_suffix)),
            country_phones: List::text(countries.iter().map(|c| c.phone_prefix)),
            country_slots: List::int(plan::slots(&weights)),
            cities: List::text(countries.iter().flat_map(|c| c.cities.iter().copied())),
            city_start: List::int(city_start),
            city_count: List::int(countries.iter().map(|c| c.cities.len() as i32)),
            lifecycle_slots: List::text(
                words::LIFECYCLE_STAGES
                    .iter()
                    .flat_map(|(name, w)| std::iter::repeat_n(*name, *w as usize)),
            ),
            company_sizes: List::text(words::COMPANY_SIZES.iter().copied()),
            icp_tiers: List::text(words::ICP_TIERS.iter().copied()),
            company_tags: List::text(words::COMPANY_TAGS.iter().copied()),
            contact_tags: List::text(words::CONTACT_TAGS.iter().copied()),
            products: List::text(words::PRODUCTS.iter().copied()),
            partnerships: List::text(words::PARTNERSHIPS.iter().copied()),
            sources: List::text(words::LEAD_SOURCES.iter().copied()),
            roles: List::text(words::DEAL_ROLES.iter().copied()),
            lost_reasons: List::text(words::LOST_REASONS.iter().copied()),
            period_slots: List::text(
                words::VALUE_PERIODS
                    .iter()
                    .flat_map(|(name, w)| std::iter::repeat_n(*name, *w as usize)),
            ),
            placement_slots: List::int(plan::placement_slots()),
            priorities: List::text(["low", "medium", "high"]),
        }
    }
}

/// Builds the statements of one run.
pub struct Generator {
    salts: Salts,
    sizes: Sizes,
    lists: Lists,
}

impl Generator {
    pub fn new(salts: Salts, sizes: Sizes) -> Generator {
        Generator {
            salts,
            sizes,
            lists: Lists::new(),
        }
    }

    /// A 64-bit hash of `key` (an SQL integer expression) in the stream of `purpose`.
    fn hash(&self, purpose: Purpose, key: &str) -> String {
        format!(
            "hashint8extended(({key})::int8, {})",
            self.salts.content(purpose)
        )
    }

    /// A uniform float8 in [0, 1): the hash's top 53 non-sign bits.
    fn unit(&self, purpose: Purpose, key: &str) -> String {
        format!(
            "(((({}) & 9223372036854775807) >> 10)::float8 / 9007199254740992.0)",
            self.hash(purpose, key)
        )
    }

    /// A uniform int8 in [0, n).
    fn below(&self, purpose: Purpose, key: &str, n: &str) -> String {
        format!(
            "((({}) & 9223372036854775807) % ({n}))",
            self.hash(purpose, key)
        )
    }

    /// A uniform element of `list`.
    fn pick(&self, purpose: Purpose, key: &str, list: &List) -> String {
        let index = self.below(purpose, key, &list.len.to_string());
        list.at(&format!("1 + ({index})::int"))
    }

    /// A UUIDv7 for the time `at`: 48 bits of Unix milliseconds, version and variant, and 74
    /// bits hashed from `key` with this run's id salts (which include the workspace).
    fn uuid7(&self, purpose: Purpose, at: &str, key: &str) -> String {
        let (a, b) = self.salts.id(purpose);
        let ha = format!("hashint8extended(({key})::int8, {a})");
        let hb = format!("hashint8extended(({key})::int8, {b})");
        format!(
            "(lpad(to_hex(floor(extract(epoch FROM {at}) * 1000)::int8), 12, '0') \
             || '7' || lpad(to_hex(({ha}) & 4095), 3, '0') \
             || to_hex(8 | ((({ha}) >> 12) & 3)) \
             || lpad(to_hex((({ha}) >> 14) & 4095), 3, '0') \
             || lpad(to_hex(({hb}) & 281474976710655), 12, '0'))::uuid"
        )
    }

    /// The one-row table of parameters: `$1` is the workspace, `$2` the day the dataset is
    /// anchored to (every generated time is before its midnight, UTC).
    pub fn params(&self) -> &'static str {
        "CREATE TEMP TABLE seed_params ON COMMIT DROP AS SELECT
             $1::uuid AS workspace_id,
             $2::date AS as_of_date,
             ($2::date)::timestamp AT TIME ZONE 'UTC' AS as_of"
    }

    /// The pipelines and stages, as a temp table `seed_stage` (one row per stage, with its
    /// pipeline's columns) from which both real tables are filled.
    pub fn stages(&self, pipeline_ids: &[Uuid], stage_ids: &[Vec<Uuid>]) -> String {
        let mut rows = Vec::new();
        for (p, (pipeline, pipeline_id)) in PIPELINES.iter().zip(pipeline_ids).enumerate() {
            let open_count = pipeline.stages.iter().filter(|s| s.kind == "open").count();
            let ids = stage_ids.get(p).map(Vec::as_slice).unwrap_or_default();
            for (s, (stage, stage_id)) in pipeline.stages.iter().zip(ids).enumerate() {
                rows.push(format!(
                    "({p}, {s}, {slot}, '{pipeline_id}'::uuid, {pipeline_name}, {default}, \
                     '{stage_id}'::uuid, {name}, {key}, {probability}::numeric / 100, {kind}, \
                     {color}, {rotting}::int, {open_count})",
                    slot = p * 100 + s,
                    pipeline_name = lit(pipeline.name),
                    default = p == 0,
                    name = lit(stage.name),
                    key = lit(stage.key),
                    probability = stage.probability,
                    kind = lit(stage.kind),
                    color = lit(stage.color),
                    rotting = stage
                        .rotting_days
                        .map_or_else(|| "NULL".to_owned(), |d| d.to_string()),
                ));
            }
        }
        format!(
            "CREATE TEMP TABLE seed_stage ON COMMIT DROP AS
             SELECT * FROM (VALUES {}) AS s(pidx, pos, slot, pipeline_id, pipeline_name,
                 is_default, id, name, key, probability, kind, color, rotting_days, open_count)",
            rows.join(",\n")
        )
    }

    pub fn insert_pipelines(&self) -> &'static str {
        "INSERT INTO pipelines (workspace_id, id, name, is_default, created_at, updated_at)
         SELECT DISTINCT ON (s.pidx) p.workspace_id, s.pipeline_id, s.pipeline_name, s.is_default,
                p.as_of - interval '400 days', p.as_of - interval '400 days'
         FROM seed_stage s CROSS JOIN seed_params p
         ORDER BY s.pidx"
    }

    pub fn insert_stages(&self) -> &'static str {
        "INSERT INTO stages (workspace_id, id, pipeline_id, name, key, position, probability,
                             kind, color, rotting_days, created_at, updated_at)
         SELECT p.workspace_id, s.id, s.pipeline_id, s.name, s.key, s.pos, s.probability,
                s.kind, s.color, s.rotting_days,
                p.as_of - interval '400 days', p.as_of - interval '400 days'
         FROM seed_stage s CROSS JOIN seed_params p
         ORDER BY s.pidx, s.pos"
    }

    /// The deal tags, as a temp table `seed_tag` (with each tag's chance) and the real rows.
    pub fn tags(&self, tag_ids: &[Uuid]) -> String {
        let rows: Vec<String> = words::DEAL_TAGS
            .iter()
            .zip(tag_ids)
            .enumerate()
            .map(|(i, ((name, color, chance), id))| {
                format!(
                    "({i}, '{id}'::uuid, {}, {}, {chance})",
                    lit(name),
                    lit(color)
                )
            })
            .collect();
        format!(
            "CREATE TEMP TABLE seed_tag ON COMMIT DROP AS
             SELECT * FROM (VALUES {}) AS t(idx, id, name, color, chance)",
            rows.join(", ")
        )
    }

    pub fn insert_tags(&self) -> &'static str {
        "INSERT INTO deal_tags (workspace_id, id, name, color, created_at)
         SELECT p.workspace_id, t.id, t.name, t.color, p.as_of - interval '400 days'
         FROM seed_tag t CROSS JOIN seed_params p
         ORDER BY t.idx"
    }

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

    /// When step `k` (1-based) of deal `d`'s history happened: step 1 at creation, step `k`
    /// inside the `k`-th of `steps` equal slices of the deal's active span (in its first 80 %,
    /// so steps strictly increase).
    fn step_at(&self, d: &str, k: &str) -> String {
        format!(
            "CASE WHEN {k} = 1 THEN {d}.created_at ELSE {d}.created_at + {d}.span * \
             ((({k} - 1) + 0.8 * {u}) / {d}.steps) END",
            u = self.unit(Purpose::DealStep, &format!("{d}.i * 64 + {k}")),
        )
    }

    /// Deals: where each sits now (weighted towards early stages), the path that led there
    /// (creation stage, then one stage at a time; WON after the last open stage, LOST from any),
    /// and every field. `seed_deal` keeps the path so the history can be generated from it.
    pub fn deals(&self) -> String {
        let placement_slots = &self.lists.placement_slots.sql;
        let companies = self.sizes.companies;
        let contacts = self.sizes.contacts;
        format!(
            "CREATE TEMP TABLE seed_deal ON COMMIT DROP AS
             WITH placed AS (
                 SELECT g.i,
                        {placement_slots}[1 + ({placement})::int] AS slot,
                        1 + {company} AS company_idx,
                        p.as_of - interval '1 day' * (3 + {age} * 362) AS created_at,
                        {start} AS r_start, {lost_after} AS r_lost_after, {span} AS r_span
                 FROM generate_series(1::int8, {deals}::int8) AS g(i)
                 CROSS JOIN seed_params p
             ), staged AS (
                 SELECT pl.*, s.pidx, s.pos, s.id AS stage_id, s.pipeline_id, s.kind,
                        s.probability, s.open_count,
                        CASE WHEN pl.r_start < 0.85 THEN 0 ELSE 1 END AS start0
                 FROM placed pl JOIN seed_stage s ON s.slot = pl.slot
             ), pathed AS (
                 SELECT st.*,
                        CASE WHEN st.kind = 'open' THEN least(st.start0, st.pos)
                             ELSE st.start0 END AS start_pos
                 FROM staged st
             ), ended AS (
                 SELECT pa.*,
                        CASE pa.kind WHEN 'open' THEN pa.pos
                                     WHEN 'won' THEN pa.open_count - 1
                                     ELSE pa.start_pos + floor(pa.r_lost_after
                                          * (pa.open_count - pa.start_pos))::int END AS end_open
                 FROM pathed pa
             ), timed AS (
                 SELECT e.*,
                        e.end_open - e.start_pos + 1 AS open_steps,
                        e.end_open - e.start_pos + 1 + (e.kind <> 'open')::int AS steps,
                        (p.as_of - e.created_at) * (0.2 + 0.75 * e.r_span) AS span
                 FROM ended e CROSS JOIN seed_params p
             ), lasted AS (
                 SELECT t.*, {last_at} AS last_at
                 FROM timed t
             ), priced AS (
                 SELECT l.*, c.id AS company_id, c.short_name AS company_name,
                        c.owner_id AS company_owner,
                        ({contacts} - l.company_idx) / {companies} + 1 AS company_contacts,
                        CASE WHEN {foreign} < 0.9 THEN c.currency ELSE 'USD' END AS currency,
                        exp(ln(2000) + {amount} * ln(200)) AS base_amount,
                        CASE WHEN l.kind = 'open' THEN
                                 CASE WHEN {no_close} < 0.05 THEN NULL
                                      ELSE p.as_of_date + (1 + {close})::int END
                             ELSE (l.last_at AT TIME ZONE 'UTC')::date END AS expected_close_date,
                        {source} AS source
                 FROM lasted l
                 JOIN seed_company c ON c.i = l.company_idx
                 CROSS JOIN seed_params p
             )
             SELECT r.i, {id} AS id, r.pidx, r.pos, r.pipeline_id, r.stage_id, r.kind,
                    r.start_pos, r.open_steps, r.steps, r.span, r.created_at, r.last_at,
                    r.company_idx, r.company_id, r.company_contacts,
                    CASE r.pidx
                        WHEN 0 THEN r.company_name || ' — ' || {product}
                        WHEN 1 THEN r.company_name || ' — Renewal '
                            || extract(year FROM coalesce(r.expected_close_date, p.as_of_date))
                        ELSE r.company_name || ' — ' || {partnership} END AS title,
                    CASE WHEN {described} < 0.3 THEN 'Came in via ' || lower(r.source)
                        || '. Budget holder: ' || {role} || '.' END AS description,
                    CASE r.currency
                        WHEN 'JPY' THEN round((r.base_amount * 150 / 1000)::numeric) * 1000
                        ELSE round((r.base_amount * CASE r.currency WHEN 'EUR' THEN 0.92
                                 WHEN 'GBP' THEN 0.79 ELSE 1 END / 50)::numeric) * 50
                             - CASE WHEN {cents} < 0.15 THEN 0.01 ELSE 0 END
                    END AS amount,
                    r.currency,
                    CASE WHEN r.kind = 'open' AND {own_probability} < 0.15 THEN
                         round(least(0.95, greatest(0.05, r.probability::float8
                               + ({probability} - 0.5) * 0.3))::numeric, 2) END
                        AS close_probability,
                    r.expected_close_date,
                    CASE WHEN r.kind = 'won' THEN r.last_at END AS won_at,
                    CASE WHEN r.kind = 'lost' THEN r.last_at END AS lost_at,
                    CASE WHEN r.kind = 'lost' THEN {lost_reason} END AS lost_reason,
                    CASE WHEN r.pidx = 1 THEN 'annual' ELSE {period} END AS value_period,
                    CASE WHEN {own} < 0.85 THEN r.company_owner ELSE {owner} END AS owner_id,
                    jsonb_build_object(
                        'source', r.source,
                        'seats', 5 + {seats},
                        'priority', {priority}
                    ) AS custom_fields,
                    r.last_at + (p.as_of - r.last_at) * 0.3 * {updated} AS updated_at,
                    1 + {links} AS links,
                    {contact_offset} AS contact_offset,
                    {role_offset} AS role_offset
             FROM priced r CROSS JOIN seed_params p",
            placement = self.below(
                Purpose::DealPlacement,
                "g.i",
                &self.lists.placement_slots.len.to_string()
            ),
            company = self.below(Purpose::DealCompany, "g.i", &companies.to_string()),
            age = self.unit(Purpose::DealAge, "g.i"),
            start = self.unit(Purpose::DealStart, "g.i"),
            lost_after = self.unit(Purpose::DealLostAfter, "g.i"),
            span = self.unit(Purpose::DealSpan, "g.i"),
            deals = self.sizes.deals,
            last_at = self.step_at("t", "t.steps"),
            foreign = self.unit(Purpose::DealCurrency, "l.i"),
            amount = self.unit(Purpose::DealAmount, "l.i"),
            no_close = self.unit(Purpose::DealNoCloseDate, "l.i"),
            close = self.below(Purpose::DealCloseDate, "l.i", "365"),
            source = self.pick(Purpose::DealSource, "l.i", &self.lists.sources),
            id = self.uuid7(Purpose::DealId, "r.created_at", "r.i"),
            product = self.pick(Purpose::DealProduct, "r.i", &self.lists.products),
            partnership = self.pick(Purpose::DealProduct, "r.i", &self.lists.partnerships),
            described = self.unit(Purpose::DealDescription, "r.i"),
            role = self.pick(Purpose::DealDescription, "r.i * 3", &self.lists.job_titles),
            cents = self.unit(Purpose::DealCents, "r.i"),
            own_probability = self.unit(Purpose::DealProbability, "r.i"),
            probability = self.unit(Purpose::DealProbability2, "r.i"),
            lost_reason = self.pick(Purpose::DealLostReason, "r.i", &self.lists.lost_reasons),
            period = self.pick(Purpose::DealPeriod, "r.i", &self.lists.period_slots),
            own = self.unit(Purpose::DealOwner, "r.i"),
            owner = self.pick(Purpose::DealOwnerPick, "r.i", &self.lists.owners),
            seats = self.below(Purpose::DealSeats, "r.i", "496"),
            priority = self.pick(Purpose::DealPriority, "r.i", &self.lists.priorities),
            updated = self.unit(Purpose::DealUpdated, "r.i"),
            links = self.below(Purpose::DealLinks, "r.i", "3"),
            contact_offset = self.below(Purpose::DealContactOffset, "r.i", "r.company_contacts"),
            role_offset = self.below(Purpose::DealRole, "r.i", "1000"),
        )
    }

    pub fn insert_deals(&self) -> String {
        format!(
            "INSERT INTO deals (workspace_id, id, pipeline_id, stage_id, title, description, amount,
                               currency, close_probability, expected_close_date, won_at, lost_at,
                               lost_reason, value_period, owner_id, company_id, custom_fields,
                               entered_stage_at, last_activity_at, version, created_at, updated_at)
             SELECT p.workspace_id, d.id, d.pipeline_id, d.stage_id, d.title, d.description,
                    d.amount, d.currency, d.close_probability, d.expected_close_date, d.won_at,
                    d.lost_at, d.lost_reason, d.value_period, d.owner_id, d.company_id,
                    d.custom_fields, d.last_at, {last_activity}, d.steps, d.created_at,
                    d.updated_at
             FROM seed_deal d CROSS JOIN seed_params p
             ORDER BY d.i",
            last_activity = self.deal_last_activity("d"),
        )
    }

    /// Each deal's history: step 1 creates it in its start stage (no `from`), each next step
    /// moves it from the previous step's stage, and the last step enters its current stage.
    pub fn insert_stage_changes(&self) -> String {
        format!(
            "INSERT INTO stage_changes (workspace_id, id, deal_id, sequence, from_stage_id,
                                        to_stage_id, from_pipeline_id, to_pipeline_id,
                                        from_stage_name, to_stage_name, to_stage_kind, amount,
                                        currency, actor_key_id, changed_at)
             SELECT p.workspace_id, {id}, d.id, x.k, f.id, s.id, f.pipeline_id, s.pipeline_id,
                    f.name, s.name, s.kind, d.amount, d.currency, NULL, x.at
             FROM seed_deal d
             CROSS JOIN seed_params p
             CROSS JOIN LATERAL (
                 SELECT k,
                        CASE WHEN k <= d.open_steps THEN d.start_pos + k - 1 ELSE d.pos END
                            AS to_pos,
                        d.start_pos + k - 2 AS from_pos,
                        {at} AS at
                 FROM generate_series(1, d.steps) AS k
             ) x
             JOIN seed_stage s ON s.pidx = d.pidx AND s.pos = x.to_pos
             LEFT JOIN seed_stage f ON x.k > 1 AND f.pidx = d.pidx AND f.pos = x.from_pos
             ORDER BY d.i, x.k",
            id = self.uuid7(Purpose::StageChangeId, "x.at", "d.i * 64 + x.k"),
            at = self.step_at("d", "k"),
        )
    }

    /// One to three of the deal's company's contacts, with distinct roles: the first is the
    /// champion or decision maker.
    pub fn insert_deal_contacts(&self) -> String {
        let roles = &self.lists.roles.sql;
        let other_roles = self.lists.roles.len - 2;
        let companies = self.sizes.companies;
        format!(
            "INSERT INTO deal_contacts (workspace_id, deal_id, contact_id, role, created_at)
             SELECT p.workspace_id, d.id, c.id,
                    CASE WHEN x.k = 0 THEN {roles}[1 + (d.role_offset % 2)::int]
                         ELSE {roles}[3 + ((d.role_offset + x.k) % {other_roles})::int]
                    END,
                    d.created_at
             FROM seed_deal d
             CROSS JOIN seed_params p
             CROSS JOIN LATERAL generate_series(0, least(d.links, d.company_contacts) - 1) AS x(k)
             JOIN seed_contact c
               ON c.i = d.company_idx + {companies} * ((d.contact_offset + x.k) % d.company_contacts)
             ORDER BY d.i, x.k"
        )
    }

    pub fn insert_taggings(&self) -> String {
        format!(
            "INSERT INTO deal_taggings (workspace_id, deal_id, tag_id)
             SELECT p.workspace_id, d.id, t.id
             FROM seed_deal d CROSS JOIN seed_tag t CROSS JOIN seed_params p
             WHERE {chance} * 100 < t.chance
             ORDER BY d.i, t.idx",
            chance = self.unit(Purpose::DealTag, "d.i * 16 + t.idx"),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn literals_are_quoted() {
        assert_eq!(lit("O'Brien"), "'O''Brien'");
        assert_eq!(text_array(["a", "b"]), "ARRAY['a', 'b']::text[]");
    }

    #[test]
    fn company_domains_are_distinct_words() {
        let mut seen = HashSet::new();
        for prefix in words::NAME_PREFIXES {
            for root in words::NAME_ROOTS {
                for (sector, _) in words::SECTORS {
                    assert!(seen.insert(format!("{prefix}{root}{sector}").to_lowercase()));
                }
            }
        }
    }
}
