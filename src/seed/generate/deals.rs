//! Deals: where each sits now, the stage history that led there, the contacts on it and its
//! tags.

use super::Generator;
use crate::seed::plan::Purpose;

impl Generator {
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

    /// The kept per-stage deal counts of the seeded deals, as `deals_counted_insert` would add
    /// them (when the seed checks the rules itself, see `seed::verify`).
    pub fn count_stage_deals(&self) -> &'static str {
        "INSERT INTO stage_deal_counts (workspace_id, stage_id, deals)
         SELECT p.workspace_id, d.stage_id, count(*)
         FROM seed_deal d CROSS JOIN seed_params p
         GROUP BY p.workspace_id, d.stage_id ORDER BY d.stage_id
         ON CONFLICT (stage_id) DO UPDATE SET deals = stage_deal_counts.deals + EXCLUDED.deals"
    }

    /// The pipeline rollups of the seeded deals, as `deals_rolled_up_insert` would add them
    /// (through the same function), once the deals are final.
    pub fn roll_up_deals(&self) -> &'static str {
        "SELECT deal_rollups_add('{}', array_agg(d))
         FROM deals d JOIN seed_params p ON p.workspace_id = d.workspace_id"
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
