//! The deal events, declared once: each kind's name, and the typed payload it carries. The
//! payloads' JSON is a published contract (webhook consumers, `Event.payload`): field names and
//! value formats must not change.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{Deal, DealContact, StageChange};
use crate::events::{Event, EventKind};

const fn deal_event(name: &'static str) -> EventKind {
    EventKind {
        name,
        entity_type: "deal",
    }
}

pub const CREATED: EventKind = deal_event("deal.created");
pub const UPDATED: EventKind = deal_event("deal.updated");
pub const STAGE_CHANGED: EventKind = deal_event("deal.stage_changed");
pub const WON: EventKind = deal_event("deal.won");
pub const LOST: EventKind = deal_event("deal.lost");
pub const DELETED: EventKind = deal_event("deal.deleted");
pub const CONTACT_LINKED: EventKind = deal_event("deal.contact_linked");
pub const CONTACT_UNLINKED: EventKind = deal_event("deal.contact_unlinked");

/// Every deal event kind, in the order the API lists them.
pub const KINDS: &[EventKind] = &[
    CREATED,
    UPDATED,
    STAGE_CHANGED,
    WON,
    LOST,
    DELETED,
    CONTACT_LINKED,
    CONTACT_UNLINKED,
];

/// The payload keys naming a pipeline an event concerns, for subscribers that filter by
/// pipeline: a deal's own pipeline, and both ends of a move.
pub const PIPELINE_KEYS: &[&str] = &["pipelineId", "fromPipelineId", "toPipelineId"];

/// What every event about one deal starts with: which deal, where it is, and its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DealRef {
    pub deal_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub version: i32,
}

impl From<&Deal> for DealRef {
    fn from(deal: &Deal) -> Self {
        DealRef {
            deal_id: deal.id,
            pipeline_id: deal.pipeline_id,
            stage_id: deal.stage_id,
            version: deal.version,
        }
    }
}

/// `deal.created`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    #[serde(flatten)]
    pub deal: DealRef,
    pub title: String,
    pub amount: BigDecimal,
    pub currency: String,
}

impl Created {
    pub fn of(deal: &Deal) -> Self {
        Created {
            deal: deal.into(),
            title: deal.title.clone(),
            amount: deal.amount.clone(),
            currency: deal.currency.clone(),
        }
    }
}

impl Event for Created {
    const KIND: EventKind = CREATED;
    fn entity_id(&self) -> Uuid {
        self.deal.deal_id
    }
}

/// `deal.updated`: the deal after the edit (read it for the fields).
#[derive(Debug, Clone, Serialize)]
pub struct Updated(pub DealRef);

impl Event for Updated {
    const KIND: EventKind = UPDATED;
    fn entity_id(&self) -> Uuid {
        self.0.deal_id
    }
}

/// `deal.deleted`: the deal as it was.
#[derive(Debug, Clone, Serialize)]
pub struct Deleted(pub DealRef);

impl Event for Deleted {
    const KIND: EventKind = DELETED;
    fn entity_id(&self) -> Uuid {
        self.0.deal_id
    }
}

/// A [`StageChange`] as events carry it: the history row without its workspace and deal
/// (the event names those), its id as `stageChangeId`. Subscribers read it back into a row
/// with [`StageChangeFields::into_row`], so the row and the payload cannot drift apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageChangeFields {
    #[serde(rename = "stageChangeId")]
    pub id: Uuid,
    pub sequence: i32,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    pub from_pipeline_id: Option<Uuid>,
    pub to_pipeline_id: Uuid,
    pub from_stage_name: Option<String>,
    pub to_stage_name: String,
    pub to_stage_kind: String,
    pub amount: BigDecimal,
    pub currency: String,
    pub actor_key_id: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
}

impl From<&StageChange> for StageChangeFields {
    fn from(change: &StageChange) -> Self {
        StageChangeFields {
            id: change.id,
            sequence: change.sequence,
            from_stage_id: change.from_stage_id,
            to_stage_id: change.to_stage_id,
            from_pipeline_id: change.from_pipeline_id,
            to_pipeline_id: change.to_pipeline_id,
            from_stage_name: change.from_stage_name.clone(),
            to_stage_name: change.to_stage_name.clone(),
            to_stage_kind: change.to_stage_kind.clone(),
            amount: change.amount.clone(),
            currency: change.currency.clone(),
            actor_key_id: change.actor_key_id,
            changed_at: change.changed_at,
        }
    }
}

impl StageChangeFields {
    /// The history row this payload was made from.
    pub fn into_row(self, workspace_id: Uuid, deal_id: Uuid) -> StageChange {
        StageChange {
            workspace_id,
            id: self.id,
            deal_id,
            sequence: self.sequence,
            from_stage_id: self.from_stage_id,
            to_stage_id: self.to_stage_id,
            from_pipeline_id: self.from_pipeline_id,
            to_pipeline_id: self.to_pipeline_id,
            from_stage_name: self.from_stage_name,
            to_stage_name: self.to_stage_name,
            to_stage_kind: self.to_stage_kind,
            amount: self.amount,
            currency: self.currency,
            actor_key_id: self.actor_key_id,
            changed_at: self.changed_at,
        }
    }
}

/// `deal.stage_changed`: the deal after the move, and the change it recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChanged {
    #[serde(flatten)]
    pub deal: DealRef,
    #[serde(flatten)]
    pub change: StageChangeFields,
}

impl StageChanged {
    pub fn of(deal: &Deal, change: &StageChange) -> Self {
        StageChanged {
            deal: deal.into(),
            change: change.into(),
        }
    }
}

impl Event for StageChanged {
    const KIND: EventKind = STAGE_CHANGED;
    fn entity_id(&self) -> Uuid {
        self.deal.deal_id
    }
}

/// `deal.won`: published with `deal.stage_changed` when the move entered a WON stage, with
/// the same payload.
#[derive(Debug, Clone, Serialize)]
pub struct Won(pub StageChanged);

impl Event for Won {
    const KIND: EventKind = WON;
    fn entity_id(&self) -> Uuid {
        self.0.deal.deal_id
    }
}

/// `deal.lost`: published with `deal.stage_changed` when the move entered a LOST stage.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lost {
    #[serde(flatten)]
    pub deal: DealRef,
    pub lost_reason: Option<String>,
}

impl Lost {
    pub fn of(deal: &Deal) -> Self {
        Lost {
            deal: deal.into(),
            lost_reason: deal.lost_reason.clone(),
        }
    }
}

impl Event for Lost {
    const KIND: EventKind = LOST;
    fn entity_id(&self) -> Uuid {
        self.deal.deal_id
    }
}

/// `deal.contact_linked`: a new link, or a new role on an existing one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactLinked {
    pub deal_id: Uuid,
    pub contact_id: Uuid,
    pub role: Option<String>,
}

impl From<&DealContact> for ContactLinked {
    fn from(link: &DealContact) -> Self {
        ContactLinked {
            deal_id: link.deal_id,
            contact_id: link.contact_id,
            role: link.role.clone(),
        }
    }
}

impl Event for ContactLinked {
    const KIND: EventKind = CONTACT_LINKED;
    fn entity_id(&self) -> Uuid {
        self.deal_id
    }
}

/// `deal.contact_unlinked`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactUnlinked {
    pub deal_id: Uuid,
    pub contact_id: Uuid,
}

impl Event for ContactUnlinked {
    const KIND: EventKind = CONTACT_UNLINKED;
    fn entity_id(&self) -> Uuid {
        self.deal_id
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::TimeZone;
    use serde_json::{json, Value};

    use super::*;
    use crate::events::NewEvent;

    fn deal() -> Deal {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
        Deal {
            workspace_id: Uuid::now_v7(),
            id: Uuid::now_v7(),
            pipeline_id: Uuid::now_v7(),
            stage_id: Uuid::now_v7(),
            title: "Acme renewal".into(),
            description: None,
            amount: BigDecimal::from_str("1200.50").unwrap(),
            currency: "EUR".into(),
            close_probability: None,
            expected_close_date: None,
            won_at: None,
            lost_at: Some(at),
            lost_reason: Some("budget".into()),
            value_period: "one_time".into(),
            owner_id: None,
            company_id: None,
            custom_fields: json!({}).into(),
            entered_stage_at: at,
            version: 3,
            created_at: at,
            updated_at: at,
            last_activity_at: None,
        }
    }

    fn change(deal: &Deal) -> StageChange {
        StageChange {
            workspace_id: deal.workspace_id,
            id: Uuid::now_v7(),
            deal_id: deal.id,
            sequence: 2,
            from_stage_id: Some(Uuid::now_v7()),
            to_stage_id: deal.stage_id,
            from_pipeline_id: Some(Uuid::now_v7()),
            to_pipeline_id: deal.pipeline_id,
            from_stage_name: None,
            to_stage_name: "Lost".into(),
            to_stage_kind: "lost".into(),
            amount: deal.amount.clone(),
            currency: deal.currency.clone(),
            actor_key_id: None,
            changed_at: deal.entered_stage_at,
        }
    }

    fn payload<E: Event>(event: &E) -> Value {
        NewEvent::of(event).unwrap().payload
    }

    /// The payloads as they were built by hand before they were typed: a published contract.
    fn by_hand(deal: &Deal, extra: Value) -> Value {
        let mut payload = json!({
            "dealId": deal.id,
            "pipelineId": deal.pipeline_id,
            "stageId": deal.stage_id,
            "version": deal.version,
        });
        if let (Value::Object(map), Value::Object(extra)) = (&mut payload, extra) {
            map.extend(extra);
        }
        payload
    }

    #[test]
    fn deal_payloads_keep_their_json() {
        let deal = deal();
        assert_eq!(
            payload(&Created::of(&deal)),
            by_hand(
                &deal,
                json!({ "title": deal.title, "amount": deal.amount.to_string(), "currency": deal.currency })
            )
        );
        assert_eq!(payload(&Updated((&deal).into())), by_hand(&deal, json!({})));
        assert_eq!(payload(&Deleted((&deal).into())), by_hand(&deal, json!({})));
        assert_eq!(
            payload(&Lost::of(&deal)),
            by_hand(&deal, json!({ "lostReason": deal.lost_reason }))
        );
    }

    #[test]
    fn a_stage_change_payload_keeps_its_json_and_reads_back_into_the_row() {
        let deal = deal();
        let change = change(&deal);
        let expected = by_hand(
            &deal,
            json!({
                "stageChangeId": change.id,
                "sequence": change.sequence,
                "fromStageId": change.from_stage_id,
                "toStageId": change.to_stage_id,
                "fromPipelineId": change.from_pipeline_id,
                "toPipelineId": change.to_pipeline_id,
                "fromStageName": change.from_stage_name,
                "toStageName": change.to_stage_name,
                "toStageKind": change.to_stage_kind,
                "amount": change.amount.to_string(),
                "currency": change.currency,
                "actorKeyId": change.actor_key_id,
                "changedAt": change.changed_at,
            }),
        );
        let stage_changed = StageChanged::of(&deal, &change);
        assert_eq!(payload(&stage_changed), expected);
        assert_eq!(payload(&Won(stage_changed)), expected);
        let fields: StageChangeFields = serde_json::from_value(expected).unwrap();
        assert_eq!(fields.into_row(deal.workspace_id, deal.id), change);
    }

    #[test]
    fn link_payloads_keep_their_json() {
        let link = DealContact {
            workspace_id: Uuid::now_v7(),
            deal_id: Uuid::now_v7(),
            contact_id: Uuid::now_v7(),
            role: None,
            created_at: Utc::now(),
        };
        assert_eq!(
            payload(&ContactLinked::from(&link)),
            json!({ "dealId": link.deal_id, "contactId": link.contact_id, "role": link.role })
        );
        let unlinked = ContactUnlinked {
            deal_id: link.deal_id,
            contact_id: link.contact_id,
        };
        assert_eq!(
            payload(&unlinked),
            json!({ "dealId": link.deal_id, "contactId": link.contact_id })
        );
    }

    #[test]
    fn every_kind_is_listed_once_and_names_a_deal_event() {
        let names: std::collections::HashSet<_> = KINDS.iter().map(|k| k.name).collect();
        assert_eq!(names.len(), KINDS.len());
        assert!(KINDS
            .iter()
            .all(|k| k.entity_type == "deal" && k.name.starts_with("deal.")));
    }
}
