//! Tools for deals: `create_deal`, `update_deal`, `move_deal`, `get_pipeline_summary` — over
//! the operations behind `createDeal`, `updateDeal`, `moveDeal` and `pipelineSummary`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::args::{number, tool_args, uuid, Decimal, Id};
use super::paging::row;
use super::tool::{self, nullable, options, patch, written, Call, Effect, ToolSpec};
use crate::deals::ops::analytics::pipeline_summary;
use crate::deals::ops::{self, DealInput, DealPatch, Target};
use crate::deals::rules::analytics::Totals;
use crate::deals::rules::{DealStatus, ValuePeriod};
use crate::error::AppError;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_deal",
            "Creates a deal. Money is a decimal string (\"12000.50\") in an ISO 4217 currency \
             (the workspace's default when absent). Without stage_id the deal starts in the \
             default pipeline's first stage.",
            Effect::Write,
            create_deal,
        ),
        tool::write(
            "update_deal",
            "Changes a deal's fields; absent arguments stay as they are, null clears. Moving \
             between stages is move_deal. expected_version refuses the change (STALE_OBJECT) \
             if someone changed the deal meanwhile.",
            Effect::Write,
            update_deal,
        ),
        tool::write(
            "move_deal",
            "Moves a deal to a stage (of its pipeline or another), recording the move in its \
             history. Moving into a lost stage needs lost_reason.",
            Effect::Write,
            move_deal,
        ),
        tool::read(
            "get_pipeline_summary",
            "A pipeline's deals now: count, total and probability-weighted total per currency \
             (never added across currencies), overall, per status and per stage.",
            get_pipeline_summary,
        ),
    ]
}

/// How often a deal's amount recurs.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValuePeriodArg {
    OneTime,
    Monthly,
    Quarterly,
    Annual,
}

impl From<ValuePeriodArg> for ValuePeriod {
    fn from(period: ValuePeriodArg) -> Self {
        match period {
            ValuePeriodArg::OneTime => ValuePeriod::OneTime,
            ValuePeriodArg::Monthly => ValuePeriod::Monthly,
            ValuePeriodArg::Quarterly => ValuePeriod::Quarterly,
            ValuePeriodArg::Annual => ValuePeriod::Annual,
        }
    }
}

tool_args! {
    pub struct CreateDeal {
        /// 1–300 characters.
        pub title: String,
        pub description: Option<String>,
        /// A decimal string, ≥ 0, no more decimals than the currency allows. "0" when absent.
        pub amount: Option<Decimal>,
        /// ISO 4217, e.g. "EUR".
        pub currency: Option<String>,
        /// 0..1 as a decimal string; absent: follow the stage's probability.
        pub close_probability: Option<Decimal>,
        /// YYYY-MM-DD.
        pub expected_close_date: Option<chrono::NaiveDate>,
        pub value_period: Option<ValuePeriodArg>,
        pub owner_id: Option<String>,
        pub company_id: Option<Id>,
        /// A JSON object of custom fields.
        pub custom_fields: Option<Map<String, Value>>,
        /// Absent: the first stage of the default pipeline.
        pub stage_id: Option<Id>,
        /// Required when stage_id is a lost stage.
        pub lost_reason: Option<String>,
    }
    writes "deal"
}

async fn create_deal(call: Call, input: CreateDeal) -> Result<Value, AppError> {
    let deal = DealInput {
        title: input.title,
        description: input.description,
        amount: number(input.amount),
        currency: input.currency,
        close_probability: number(input.close_probability),
        expected_close_date: input.expected_close_date,
        value_period: input.value_period.map(Into::into),
        owner_id: input.owner_id,
        company_id: uuid(input.company_id),
        custom_fields: input.custom_fields.map(Value::Object),
        stage_id: uuid(input.stage_id),
        lost_reason: input.lost_reason,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::create_deal(&call.pool, &call.actor, deal, options).await?;
    written("deal", &result)
}

tool_args! {
    pub struct UpdateDeal {
        pub deal_id: Id,
        pub title: Option<String>,
        /// null clears it.
        #[serde(default, deserialize_with = "nullable")]
        pub description: Option<Option<String>>,
        /// A decimal string.
        pub amount: Option<Decimal>,
        /// ISO 4217.
        pub currency: Option<String>,
        /// 0..1 as a decimal string; null: follow the stage's probability again.
        #[serde(default, deserialize_with = "nullable")]
        pub close_probability: Option<Option<Decimal>>,
        /// YYYY-MM-DD; null clears it.
        #[serde(default, deserialize_with = "nullable")]
        pub expected_close_date: Option<Option<chrono::NaiveDate>>,
        pub value_period: Option<ValuePeriodArg>,
        /// null clears it.
        #[serde(default, deserialize_with = "nullable")]
        pub owner_id: Option<Option<String>>,
        /// null clears it.
        #[serde(default, deserialize_with = "nullable")]
        pub company_id: Option<Option<Id>>,
        /// A JSON object replacing the custom fields.
        pub custom_fields: Option<Map<String, Value>>,
        /// Refuse the change (STALE_OBJECT) unless the deal still has this version.
        pub expected_version: Option<i32>,
    }
    writes "deal"
}

async fn update_deal(call: Call, input: UpdateDeal) -> Result<Value, AppError> {
    let deal_id = input.deal_id.0;
    let changes = DealPatch {
        title: input.title,
        description: patch(input.description),
        amount: number(input.amount),
        currency: input.currency,
        close_probability: patch(input.close_probability).map(|Decimal(p)| p),
        expected_close_date: patch(input.expected_close_date),
        value_period: input.value_period.map(Into::into),
        owner_id: patch(input.owner_id),
        company_id: patch(input.company_id).map(|Id(id)| id),
        custom_fields: input.custom_fields.map(Value::Object),
        expected_version: input.expected_version,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::update_deal(&call.pool, &call.actor, deal_id, changes, options).await?;
    written("deal", &result)
}

tool_args! {
    pub struct MoveDeal {
        pub deal_id: Id,
        /// Any stage of the workspace: another pipeline's stage moves the deal there.
        pub stage_id: Id,
        /// Required when moving into a lost stage.
        pub lost_reason: Option<String>,
        /// Refuse the move (STALE_OBJECT) unless the deal still has this version.
        pub expected_version: Option<i32>,
    }
    writes "move"
}

async fn move_deal(call: Call, input: MoveDeal) -> Result<Value, AppError> {
    let deal_id = input.deal_id.0;
    let target = Target::Stage(input.stage_id.0);
    let options = options(input.idempotency_key, input.dry_run);
    let result = ops::move_deal(
        &call.pool,
        &call.actor,
        deal_id,
        target,
        input.lost_reason,
        input.expected_version,
        options,
    )
    .await?;
    Ok(json!({
        "deal": row(&result.value.deal)?,
        "stage_change": row(&result.value.stage_change)?,
        "replayed": result.replayed,
        "dry_run": result.dry_run,
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPipelineSummary {
    pub pipeline_id: Id,
}

async fn get_pipeline_summary(call: Call, input: GetPipelineSummary) -> Result<Value, AppError> {
    let pipeline_id = input.pipeline_id.0;
    let mut conn = crate::db::conn(&call.pool).await?;
    let summary = pipeline_summary(&mut conn, call.actor.workspace_id, pipeline_id)
        .await
        .map_err(|err| match err {
            AppError::NotFound { entity, id, .. } => AppError::NotFound {
                entity,
                id,
                field: Some("pipeline_id".into()),
            },
            other => other,
        })?;
    let by_status: Vec<Value> = summary
        .by_status
        .iter()
        .map(|s| json!({ "status": status_name(s.status), "totals": totals(&s.totals) }))
        .collect();
    let stages: Vec<Value> = summary
        .stages
        .iter()
        .map(|s| json!({ "stage": { "id": s.stage.id, "name": s.stage.name }, "totals": totals(&s.totals) }))
        .collect();
    Ok(json!({
        "pipeline": { "id": summary.pipeline.id, "name": summary.pipeline.name },
        "totals": totals(&summary.totals),
        "by_status": by_status,
        "stages": stages,
    }))
}

fn status_name(status: DealStatus) -> &'static str {
    match status {
        DealStatus::Open => "open",
        DealStatus::Won => "won",
        DealStatus::Lost => "lost",
    }
}

/// A group's figures; amounts as strings, as everywhere in the API.
fn totals(totals: &Totals) -> Value {
    let currencies: Vec<Value> = totals
        .currencies
        .iter()
        .map(|c| {
            json!({
                "currency": c.currency,
                "deal_count": c.deal_count,
                "total": c.total.to_string(),
                "weighted": c.weighted.to_string(),
            })
        })
        .collect();
    json!({ "deal_count": totals.deal_count, "currencies": currencies })
}
