//! The timeline's SQL: which kind of record an id names, and one page of a record's merged
//! history in one statement.
//!
//! Each source is an [`Arm`]: the kind of item, the kinds of record it has history for, and
//! its table, time column, record column and row JSON. Every arm gets the same binds — $1
//! the workspace, $2 the record, $3/$4 the cursor's (time, id), $5 the page size plus one —
//! and seeks and limits on its own, so each reads at most a page from its index before the
//! merge. A lead's conversion shows on the lead and on the contact, company and deal it became.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::{ItemKind, TimelineItem, TimelineWindow};
use crate::activities::rules::LinkKind;
use crate::error::AppError;

/// One source of a timeline.
struct Arm {
    item: ItemKind,
    /// The tag the arm's rows carry in the merged page.
    tag: &'static str,
    table: &'static str,
    /// The column holding when it happened.
    at: &'static str,
    /// The record's column, per kind of record this source has history for.
    record_column: fn(LinkKind) -> Option<&'static str>,
    /// The row as JSON, read back into the domain's row type. Money goes as text: a JSON
    /// number would be read through a float.
    json: &'static str,
}

const ARMS: &[Arm] = &[
    Arm {
        item: ItemKind::Activity,
        tag: "activity",
        table: "activities",
        at: "occurred_at",
        record_column: |kind| Some(kind.column()),
        json: "to_jsonb(t.*)",
    },
    Arm {
        item: ItemKind::StageChange,
        tag: "stage_change",
        table: "stage_changes",
        at: "changed_at",
        record_column: |kind| (kind == LinkKind::Deal).then_some("deal_id"),
        json: "to_jsonb(t.*) || jsonb_build_object('amount', t.amount::text)",
    },
    Arm {
        item: ItemKind::LeadStatusChange,
        tag: "lead_status_change",
        table: "lead_status_changes",
        at: "changed_at",
        record_column: |kind| (kind == LinkKind::Lead).then_some("lead_id"),
        json: "to_jsonb(t.*)",
    },
    Arm {
        item: ItemKind::Conversion,
        tag: "conversion",
        table: "lead_conversions",
        at: "converted_at",
        // The conversion's columns are named like an activity's links.
        record_column: |kind| Some(kind.column()),
        json: "to_jsonb(t.*)",
    },
];

/// The SQL of a page of `record`'s timeline with the items of `kinds`; `None` when no source
/// has such items for such a record.
fn page_sql(record: LinkKind, kinds: &[ItemKind]) -> Option<String> {
    let arms: Vec<(&Arm, &str)> = ARMS
        .iter()
        .filter(|arm| kinds.contains(&arm.item))
        .filter_map(|arm| (arm.record_column)(record).map(|column| (arm, column)))
        .collect();
    if arms.is_empty() {
        return None;
    }
    let pages: Vec<String> = arms
        .iter()
        .map(|(arm, column)| {
            let Arm {
                tag,
                table,
                at,
                json,
                ..
            } = arm;
            format!(
                "(SELECT '{tag}'::text AS kind, t.id, t.{at} AS at, {json} AS item FROM {table} t
                  WHERE t.workspace_id = $1 AND t.{column} = $2
                    AND ($3::timestamptz IS NULL OR (t.{at}, t.id) < ($3, $4))
                  ORDER BY t.{at} DESC, t.id DESC LIMIT $5)"
            )
        })
        .collect();
    let counts: Vec<String> = arms
        .iter()
        .map(|(arm, column)| {
            format!(
                "(SELECT count(*) FROM {table} t WHERE t.workspace_id = $1 AND t.{column} = $2)",
                table = arm.table
            )
        })
        .collect();
    Some(format!(
        "SELECT page.kind, page.id, page.at, page.item, counts.total
         FROM (SELECT {counts} AS total) counts
         LEFT JOIN LATERAL (
             SELECT * FROM ({pages}) merged ORDER BY at DESC, id DESC LIMIT $5
         ) page ON true
         ORDER BY page.at DESC, page.id DESC",
        counts = counts.join(" + "),
        pages = pages.join(" UNION ALL "),
    ))
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    item: Option<Value>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// What kind of record `id` names in the workspace (contact, company, deal or lead), in one
/// statement (the same lookup as `node(id:)`); `None` when none.
pub async fn record_kind(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    id: Uuid,
) -> Result<Option<LinkKind>, AppError> {
    let tables = LinkKind::ALL.map(LinkKind::table);
    let held = crate::db::holder::table_holding(conn, workspace_id, id, &tables).await?;
    Ok(held.and_then(|i| LinkKind::ALL.get(i).copied()))
}

/// One page of the timeline of `record` (a record of kind `kind`) with items of `kinds`, and
/// how many such items it has in all: one statement.
pub async fn page(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    kind: LinkKind,
    record: Uuid,
    kinds: &[ItemKind],
    window: &TimelineWindow,
) -> QueryResult<(Vec<TimelineItem>, i64)> {
    let Some(sql) = page_sql(kind, kinds) else {
        return Ok((Vec::new(), 0));
    };
    let after = window.after_time();
    let rows: Vec<PageRow> = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace_id)
        .bind::<SqlUuid, _>(record)
        .bind::<Nullable<Timestamptz>, _>(after.map(|(at, _)| at))
        .bind::<Nullable<SqlUuid>, _>(after.map(|(_, id)| id))
        .bind::<BigInt, _>(window.fetch_limit())
        .load(conn)
        .await?;
    let total = <[PageRow]>::first(&rows).map_or(0, |row| row.total);
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(kind), Some(item)) = (row.kind, row.item) else {
            continue;
        };
        let read =
            |err: serde_json::Error| diesel::result::Error::DeserializationError(Box::new(err));
        items.push(match kind.as_str() {
            "activity" => TimelineItem::Activity(serde_json::from_value(item).map_err(read)?),
            "stage_change" => {
                TimelineItem::StageChange(serde_json::from_value(item).map_err(read)?)
            }
            "conversion" => TimelineItem::Conversion(serde_json::from_value(item).map_err(read)?),
            _ => TimelineItem::LeadStatusChange(serde_json::from_value(item).map_err(read)?),
        });
    }
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arms_follow_the_record_and_the_kinds_asked_for() {
        let deal = page_sql(LinkKind::Deal, &ItemKind::ALL).unwrap();
        assert!(deal.contains("FROM activities") && deal.contains("FROM stage_changes"));
        assert!(!deal.contains("lead_status_changes"));
        // Activities, stage changes and the conversion that made the deal.
        assert_eq!(deal.matches("UNION ALL").count(), 2);
        let contact = page_sql(LinkKind::Contact, &[ItemKind::Activity]).unwrap();
        assert!(!contact.contains("UNION ALL"));
        assert!(page_sql(LinkKind::Contact, &[ItemKind::StageChange]).is_none());
        let lead = page_sql(LinkKind::Lead, &[ItemKind::LeadStatusChange]).unwrap();
        assert!(lead.contains("lead_status_changes") && !lead.contains("FROM activities"));
        let company = page_sql(LinkKind::Company, &ItemKind::ALL).unwrap();
        assert!(company.contains("FROM lead_conversions t") && company.contains("t.company_id"));
    }
}
