//! What happened with the seeded customers and what is still to do: the converted leads'
//! conversion records, logged activities (calls, e-mails, meetings, notes) on deals and on
//! leads being worked, and open follow-up tasks — some overdue — on open deals and leads.
//!
//! A record's activities are spread over its active life in increasing time, so its
//! `last_activity_at` is its last activity's time, computed by the same expression
//! ([`Generator::deal_last_activity`], [`Generator::lead_last_activity`]) when the deal or
//! lead row is written, before its activities exist.

use super::{Generator, List};
use crate::seed::plan::Purpose;
use crate::seed::words;

/// Activities per record: 0 to this minus one.
const MAX_ACTIVITIES: u32 = 3;

impl Generator {
    fn activity_count(&self, purpose: Purpose, key: &str) -> String {
        format!(
            "({})::int",
            self.below(purpose, key, &MAX_ACTIVITIES.to_string())
        )
    }

    /// When activity `k` of `n` of a record active from `from` to `to` happened: inside the
    /// `k`-th of `n` slices, so activities strictly increase.
    fn activity_at(
        &self,
        purpose: Purpose,
        i: &str,
        k: &str,
        n: &str,
        from: &str,
        to: &str,
    ) -> String {
        format!(
            "{from} + ({to} - {from}) * (({k} - 1 + 0.1 + 0.8 * {u}) / {n})",
            u = self.unit(purpose, &format!("{i} * 8 + {k}")),
        )
    }

    /// A seeded deal `d` is active until it closed (`last_at`) or, still open, until the day
    /// the dataset is anchored to.
    fn deal_active_until(d: &str) -> String {
        format!("CASE WHEN {d}.kind = 'open' THEN p.as_of ELSE {d}.last_at END")
    }

    /// `deals.last_activity_at` of seed_deal row `d` (with `seed_params p` in scope).
    pub fn deal_last_activity(&self, d: &str) -> String {
        let n = self.activity_count(Purpose::DealActivities, &format!("{d}.i"));
        let at = self.activity_at(
            Purpose::DealActivityAt,
            &format!("{d}.i"),
            &n,
            &n,
            &format!("{d}.created_at"),
            &Self::deal_active_until(d),
        );
        format!("CASE WHEN {n} > 0 THEN {at} END")
    }

    /// `leads.last_activity_at` of seed_lead row `l`: only leads someone worked have any.
    pub fn lead_last_activity(&self, l: &str) -> String {
        let n = self.lead_activity_count(l);
        let at = self.activity_at(
            Purpose::LeadActivityAt,
            &format!("{l}.i"),
            &n,
            &n,
            &format!("{l}.created_at"),
            &Self::lead_active_until(l),
        );
        format!("CASE WHEN {n} > 0 THEN {at} END")
    }

    /// A seeded lead `l` is worked until it was disqualified or converted, or until the day
    /// the dataset is anchored to.
    fn lead_active_until(l: &str) -> String {
        format!(
            "CASE WHEN {l}.path[{l}.steps] IN ('disqualified', 'converted') \
             THEN {l}.ats[{l}.steps] ELSE {l}.ended_at END"
        )
    }

    fn lead_activity_count(&self, l: &str) -> String {
        format!(
            "CASE WHEN {l}.steps = 0 THEN 0 ELSE {} END",
            self.activity_count(Purpose::LeadActivities, &format!("{l}.i"))
        )
    }

    /// One activity row's columns after `id`: type, subject, body, metadata; `i` and `k`
    /// pick them.
    fn activity_content(&self, i: &str, k: &str) -> (String, String, String) {
        let types = List::text(
            words::ACTIVITY_KINDS
                .iter()
                .flat_map(|(kind, w, _)| std::iter::repeat_n(*kind, *w as usize)),
        );
        let key = format!("{i} * 8 + {k}");
        let kind = self.pick(Purpose::ActivityKind, &key, &types);
        let subjects = words::ACTIVITY_KINDS
            .iter()
            .map(|(kind, _, subjects)| {
                let list = List::text(subjects.iter().copied());
                let pick = self.pick(Purpose::ActivitySubject, &key, &list);
                format!("WHEN '{kind}' THEN {pick}")
            })
            .collect::<Vec<_>>()
            .join(" ");
        let minutes = self.below(Purpose::ActivitySubject, &format!("{key} * 3"), "55");
        (
            kind,
            format!("CASE a.kind {subjects} END"),
            format!(
                "CASE a.kind WHEN 'call' THEN jsonb_build_object('direction', 'outbound', \
                 'duration_minutes', 5 + {minutes}) ELSE '{{}}'::jsonb END"
            ),
        )
    }

    /// Deals' activities: each deal's calls, e-mails, meetings and notes.
    pub fn insert_deal_activities(&self) -> String {
        let n = self.activity_count(Purpose::DealActivities, "d.i");
        let at = self.activity_at(
            Purpose::DealActivityAt,
            "d.i",
            "k",
            &n,
            "d.created_at",
            &Self::deal_active_until("d"),
        );
        self.insert_activities(
            "seed_deal d",
            "d",
            &n,
            &at,
            "deal_id",
            Purpose::DealActivityId,
        )
    }

    /// Leads' activities: the calls and e-mails of working them.
    pub fn insert_lead_activities(&self) -> String {
        let n = self.lead_activity_count("d");
        let at = self.activity_at(
            Purpose::LeadActivityAt,
            "d.i",
            "k",
            &n,
            "d.created_at",
            &Self::lead_active_until("d"),
        );
        self.insert_activities(
            "seed_lead d",
            "d",
            &n,
            &at,
            "lead_id",
            Purpose::LeadActivityId,
        )
    }

    fn insert_activities(
        &self,
        from: &str,
        d: &str,
        n: &str,
        at: &str,
        link: &str,
        id: Purpose,
    ) -> String {
        // The type is drawn with the row's own (record, k); subject and metadata use the same
        // numbers through the outer query's names.
        let (kind, _, _) = self.activity_content(&format!("{d}.i"), "k");
        let (_, subject, metadata) = self.activity_content("a.i", "a.k");
        format!(
            "INSERT INTO activities (workspace_id, id, activity_type, subject, occurred_at,
                                     metadata, created_by, {link}, created_at, updated_at)
             SELECT p.workspace_id, {id}, a.kind, {subject}, a.at, {metadata}, key.id,
                    a.record_id, a.at, a.at
             FROM (
                 SELECT {d}.i, k, {d}.id AS record_id, {kind} AS kind, {at} AS at
                 FROM {from}
                 CROSS JOIN seed_params p
                 CROSS JOIN LATERAL generate_series(1, {n}) AS k
             ) a
             CROSS JOIN seed_params p
             CROSS JOIN ({first_key}) key
             ORDER BY a.i, a.k",
            id = self.uuid7(id, "a.at", "a.i * 8 + a.k"),
            first_key = FIRST_KEY,
        )
    }

    /// Conversion records of the converted leads: the contact each became, that contact's
    /// company, and the first of the contact's deals that came after the conversion. Set-based
    /// (hash joins over the whole batch): a per-lead subquery would scan the deal links once per
    /// lead.
    pub fn insert_lead_conversions(&self) -> String {
        format!(
            "INSERT INTO lead_conversions (workspace_id, id, lead_id, contact_id, company_id,
                                           deal_id, contact_created, company_created, owner_id,
                                           reason, actor_key_id, converted_at)
             WITH became AS (
                 SELECT l.i, l.id AS lead_id, l.ended_at, c.id AS contact_id, c.company_id
                 FROM seed_lead l
                 JOIN seed_contact c ON c.email = l.contact_email
                 WHERE l.converted
             ), first_deal AS (
                 SELECT DISTINCT ON (b.i) b.i, d.id AS deal_id
                 FROM became b
                 JOIN deal_contacts dc ON dc.contact_id = b.contact_id
                 JOIN seed_deal d ON d.id = dc.deal_id AND d.created_at >= b.ended_at
                 ORDER BY b.i, d.created_at
             )
             SELECT p.workspace_id, {id}, b.lead_id, b.contact_id, b.company_id, f.deal_id,
                    true, false, r.owner_id, 'Qualified on a discovery call', key.id, b.ended_at
             FROM became b
             JOIN leads r ON r.id = b.lead_id
             LEFT JOIN first_deal f ON f.i = b.i
             CROSS JOIN seed_params p
             CROSS JOIN ({FIRST_KEY}) key
             ORDER BY b.i",
            id = self.uuid7(Purpose::LeadConversionId, "b.ended_at", "b.i"),
        )
    }

    /// Open follow-up tasks: most open deals and about half the leads being worked have one,
    /// due from a week ago (overdue) to two weeks ahead, for the record's owner.
    pub fn insert_tasks(&self) -> String {
        let titles = List::text(words::TASK_TITLES.iter().copied());
        let priorities = List::text(["low", "normal", "normal", "normal", "high", "urgent"]);
        format!(
            "INSERT INTO tasks (workspace_id, id, title, due_at, priority, status, assignee,
                                deal_id, lead_id, created_by, created_at, updated_at)
             SELECT p.workspace_id, {id}, t.title, t.due_at, t.priority, t.status, t.owner_id,
                    t.deal_id, t.lead_id, key.id, t.created_at, t.created_at
             FROM (
                 SELECT d.i, d.id AS deal_id, NULL::uuid AS lead_id, d.owner_id,
                        {deal_title} AS title, {deal_priority} AS priority,
                        CASE WHEN {deal_started} < 0.2 THEN 'in_progress' ELSE 'todo' END
                            AS status,
                        date_trunc('hour', p.as_of + interval '1 hour' * ({deal_due} - 168))
                            AS due_at,
                        greatest(d.created_at, p.as_of - interval '1 day' * 10) AS created_at
                 FROM seed_deal d CROSS JOIN seed_params p
                 WHERE d.kind = 'open' AND {deal_has} < 0.7
                 UNION ALL
                 SELECT 1000000000 + l.i, NULL, l.id, r.owner_id,
                        'Call back', 'normal', 'todo',
                        date_trunc('hour', p.as_of + interval '1 hour' * ({lead_due} - 72)),
                        greatest(l.created_at, p.as_of - interval '1 day' * 5)
                 FROM seed_lead l JOIN leads r ON r.id = l.id CROSS JOIN seed_params p
                 WHERE r.status IN ('new', 'working') AND {lead_has} < 0.5
             ) t
             CROSS JOIN seed_params p
             CROSS JOIN ({FIRST_KEY}) key
             ORDER BY t.i",
            id = self.uuid7(Purpose::TaskId, "t.created_at", "t.i"),
            deal_title = self.pick(Purpose::TaskTitle, "d.i", &titles),
            deal_priority = self.pick(Purpose::TaskTitle, "d.i * 3", &priorities),
            deal_started = self.unit(Purpose::TaskStatus, "d.i"),
            deal_due = self.below(Purpose::TaskDue, "d.i", "504"),
            deal_has = self.unit(Purpose::TaskStatus, "d.i * 5"),
            lead_due = self.below(Purpose::TaskDue, "l.i * 7", "240"),
            lead_has = self.unit(Purpose::TaskStatus, "l.i * 11"),
        )
    }
}

/// The workspace's first API key: the seed acts as the workspace's admin.
pub const FIRST_KEY: &str = "SELECT k.id FROM api_keys k JOIN seed_params s
                               ON k.workspace_id = s.workspace_id
                             ORDER BY k.created_at, k.id LIMIT 1";
