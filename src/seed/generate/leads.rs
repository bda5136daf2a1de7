//! Leads and their status history. The first `converted_leads` leads were converted: each
//! became one of the seeded contacts (spread evenly over them), so it carries that contact's
//! name, e-mail, phone and title and its company, and was converted the moment the contact
//! was created. The others are new, being worked, qualified or disqualified, with names that
//! walk a permutation (so open leads' e-mails are unique, as `leads_email_unique` requires)
//! and about a fifth writing from a personal mailbox.
//!
//! Every lead's history is the chain its status implies: `new → working → qualified →
//! converted`, `new → working → disqualified` or a prefix of the first, its steps spread over
//! the lead's life like a deal's stage history.

use super::followups::FIRST_KEY;
use super::{lit, Generator, List};
use crate::seed::plan::{self, Purpose, NAME_STRIDE};
use crate::seed::words;

fn weighted(items: &[(&str, u32)]) -> List {
    List::text(
        items
            .iter()
            .flat_map(|(name, w)| std::iter::repeat_n(*name, *w as usize)),
    )
}

impl Generator {
    /// The leads, as a temp table `seed_lead` with each lead's status path and step times.
    pub fn leads(&self) -> String {
        let first_names = &self.lists.first_names.sql;
        let last_names = &self.lists.last_names.sql;
        let name_prefixes = &self.lists.name_prefixes.sql;
        let name_roots = &self.lists.name_roots.sql;
        let sector_words = &self.lists.sector_words.sql;
        let tlds = &self.lists.country_tlds.sql;
        let space = plan::contact_name_space();
        let nf = words::FIRST_NAMES.len();
        let np = words::NAME_PREFIXES.len();
        let nr = words::NAME_ROOTS.len();
        let ns = words::SECTORS.len();
        let converted = self.sizes.converted_leads;
        let contacts = self.sizes.contacts;
        let leads = self.sizes.leads;
        let statuses = weighted(words::OPEN_LEAD_STATUSES);
        let offset = self.salts.offset(Purpose::LeadName, space);
        format!(
            "CREATE TEMP TABLE seed_lead ON COMMIT DROP AS
             SELECT b.*,
                    {id} AS id,
                    ARRAY(SELECT CASE WHEN b.converted AND k = b.steps THEN b.ended_at
                                 ELSE b.created_at + (b.ended_at - b.created_at)
                                      * ((k - 1 + 0.8 * {step}) / b.steps) END
                          FROM generate_series(1, b.steps) AS k ORDER BY k) AS ats
             FROM (
                 SELECT w.*, cardinality(w.path) AS steps,
                        CASE WHEN w.converted THEN w.contact_created_at ELSE p.as_of END
                            AS ended_at
                 FROM (
                     SELECT g.i, g.i <= {converted} AS converted,
                            c.name AS contact_name, c.email AS contact_email,
                            c.phone AS contact_phone, c.title AS contact_title,
                            co.name AS contact_company, co.domain AS contact_domain,
                            c.created_at AS contact_created_at,
                            CASE WHEN g.i <= {converted}
                                 THEN ARRAY['working', 'qualified', 'converted']
                                 ELSE CASE {status}
                                      WHEN 'working' THEN ARRAY['working']
                                      WHEN 'qualified' THEN ARRAY['working', 'qualified']
                                      WHEN 'disqualified' THEN ARRAY['working', 'disqualified']
                                      ELSE ARRAY[]::text[] END
                            END AS path,
                            CASE WHEN g.i <= {converted}
                                 THEN c.created_at - interval '1 day' * (3 + {age} * 60)
                                 ELSE p.as_of - interval '1 day' * (1 + {age} * 365)
                            END AS created_at,
                            {first_names}[1 + (n.combo % {nf})::int] AS first_name,
                            {last_names}[1 + (n.combo / {nf})::int] AS last_name,
                            n.round,
                            {name_prefixes}[1 + ({brand} % {np})::int]
                                || {name_roots}[1 + ({brand} / {np} % {nr})::int] AS brand,
                            {sector_words}[1 + ({sector})::int] AS sector_word,
                            {tlds}[1 + ({tld})::int] AS tld,
                            {free} < 0.2 AS free_mail
                     FROM generate_series(1::int8, {leads}::int8) AS g(i)
                     CROSS JOIN seed_params p
                     CROSS JOIN LATERAL (
                         SELECT ((g.i - 1) * {NAME_STRIDE} + {offset}) % {space} AS combo,
                                (g.i - 1) / {space} AS round
                     ) n
                     LEFT JOIN seed_contact c
                       ON g.i <= {converted}
                      AND c.i = 1 + (g.i - 1) * {contacts} / greatest({converted}, 1)
                     LEFT JOIN seed_company co ON co.i = c.company_idx
                 ) w
                 CROSS JOIN seed_params p
             ) b",
            id = self.uuid7(Purpose::LeadId, "b.created_at", "b.i"),
            step = self.unit(Purpose::LeadStep, "b.i * 8 + k"),
            status = self.pick(Purpose::LeadStatus, "g.i", &statuses),
            age = self.unit(Purpose::LeadAge, "g.i"),
            brand = self.below(Purpose::LeadCompany, "g.i", &(np * nr).to_string()),
            sector = self.below(Purpose::LeadCompany, "g.i * 3", &ns.to_string()),
            tld = self.below(
                Purpose::LeadCountry,
                "g.i",
                &self.lists.country_tlds.len.to_string()
            ),
            free = self.unit(Purpose::LeadFreeMail, "g.i"),
        )
    }

    /// The leads' rows: converted leads from their contact, the others from their own names.
    pub fn insert_leads(&self) -> String {
        let channels = weighted(words::LEAD_CHANNELS);
        let free_mail = List::text(words::FREE_MAIL_DOMAINS.iter().copied());
        let tags = List::text(words::LEAD_TAGS.iter().copied());
        let reasons = List::text(words::DISQUALIFY_REASONS.iter().copied());
        let status_at = |status: &str| format!("l.ats[array_position(l.path, {})]", lit(status));
        format!(
            "INSERT INTO leads (workspace_id, id, name, email, phone, title, company_name,
                                website, source, status, score, owner_id, tags, custom_fields,
                                qualified_at, disqualified_at, disqualified_reason, converted_at,
                                last_activity_at, version, created_at, updated_at)
             SELECT p.workspace_id, l.id,
                    CASE WHEN l.converted THEN l.contact_name
                         ELSE l.first_name || ' ' || l.last_name END,
                    CASE WHEN l.converted THEN l.contact_email
                         ELSE lower(l.first_name || '.' || l.last_name)
                              || CASE WHEN l.round > 0 THEN l.round::text ELSE '' END || '@'
                              || CASE WHEN l.free_mail THEN {mailbox}
                                      ELSE lower(l.brand || l.sector_word) || '.' || l.tld END
                    END,
                    CASE WHEN l.converted THEN l.contact_phone END,
                    CASE WHEN l.converted THEN l.contact_title ELSE {title} END,
                    CASE WHEN l.converted THEN l.contact_company
                         WHEN {company} < 0.8 THEN l.brand || ' ' || l.sector_word END,
                    CASE WHEN l.converted THEN 'https://www.' || l.contact_domain
                         WHEN NOT l.free_mail AND {company} < 0.5
                         THEN 'https://www.' || lower(l.brand || l.sector_word) || '.' || l.tld
                    END,
                    {source},
                    coalesce(l.path[l.steps], 'new'),
                    ({score})::int,
                    CASE WHEN {owned} < 0.7 THEN {owner} END,
                    CASE WHEN {tagged} < 0.4 THEN ARRAY[{tag}] ELSE '{{}}'::text[] END,
                    jsonb_build_object('budget_known', {tagged} < 0.5),
                    {qualified_at}, {disqualified_at},
                    CASE WHEN {disqualified_at} IS NOT NULL THEN {reason} END,
                    {converted_at}, {last_activity},
                    1 + l.steps, l.created_at, coalesce(l.ats[l.steps], l.created_at)
             FROM seed_lead l CROSS JOIN seed_params p
             ORDER BY l.i",
            mailbox = free_mail.at(&format!(
                "1 + ({})::int",
                self.below(Purpose::LeadFreeMail, "l.i * 5", &free_mail.len.to_string())
            )),
            title = self.pick(Purpose::LeadTitle, "l.i", &self.lists.job_titles),
            company = self.unit(Purpose::LeadCompany, "l.i * 7"),
            source = self.pick(Purpose::LeadSource, "l.i", &channels),
            score = self.below(Purpose::LeadScore, "l.i", "101"),
            owned = self.unit(Purpose::LeadOwner, "l.i"),
            owner = self.pick(Purpose::LeadOwnerPick, "l.i", &self.lists.owners),
            tagged = self.unit(Purpose::LeadTags, "l.i"),
            tag = self.pick(Purpose::LeadTags, "l.i * 7", &tags),
            reason = self.pick(Purpose::LeadReason, "l.i", &reasons),
            qualified_at = status_at("qualified"),
            disqualified_at = status_at("disqualified"),
            converted_at = status_at("converted"),
            last_activity = self.lead_last_activity("l"),
        )
    }

    /// The kept per-status lead counts of the seeded leads, as `leads_counted_insert` would
    /// add them, once the leads are final.
    pub fn count_lead_statuses(&self) -> &'static str {
        "INSERT INTO lead_status_counts AS c (workspace_id, status, leads)
         SELECT l.workspace_id, l.status, count(*)
         FROM leads l JOIN seed_params p ON p.workspace_id = l.workspace_id
         GROUP BY 1, 2 ORDER BY 1, 2
         ON CONFLICT (workspace_id, status) DO UPDATE SET leads = c.leads + EXCLUDED.leads"
    }

    /// Each lead's history: one row per step of its path, the first from `new`. The actor is
    /// the workspace's first API key (the seed acts as the workspace's admin).
    pub fn insert_lead_status_changes(&self) -> String {
        format!(
            "INSERT INTO lead_status_changes (workspace_id, id, lead_id, sequence, from_status,
                                              to_status, reason, actor_key_id, changed_at)
             SELECT p.workspace_id, {id}, l.id, k,
                    CASE WHEN k = 1 THEN 'new' ELSE l.path[k - 1] END, l.path[k],
                    CASE WHEN l.path[k] = 'disqualified' THEN r.disqualified_reason END,
                    a.id, l.ats[k]
             FROM seed_lead l
             CROSS JOIN seed_params p
             CROSS JOIN LATERAL generate_series(1, l.steps) AS k
             JOIN leads r ON r.id = l.id
             CROSS JOIN ({FIRST_KEY}) a
             ORDER BY l.i, k",
            id = self.uuid7(Purpose::LeadStatusChangeId, "l.ats[k]", "l.i * 8 + k"),
        )
    }
}
