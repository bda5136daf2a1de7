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
