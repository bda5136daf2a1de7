//! The `Activity` output type, its `ActivityType` enum and the mutation payloads.

use async_graphql::{Enum, Json, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::activities::model::{Activity, LinkedRow};
use crate::activities::rules::{ActivityType, Links};
use crate::graphql::enums::same_enum;
use crate::graphql::linked::{linked_record, About};
use crate::graphql::loaders;
use crate::graphql::mutation::{record_payload, WriteOutcome};
use crate::graphql::pagination::ListConnection;

pub type ActivityConnection = ListConnection<ActivityGql>;

/// What kind of thing happened.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ActivityType")]
pub enum ActivityTypeGql {
    /// A note someone wrote down.
    Note,
    /// A phone or video call.
    Call,
    Email,
    Meeting,
    /// A task was done (logged by `updateTask`; `metadata.taskId` names the task).
    TaskCompleted,
    Other,
}

same_enum!(
    ActivityTypeGql,
    ActivityType,
    [Note, Call, Email, Meeting, TaskCompleted, Other]
);

/// Something that happened with a customer: a note, a call, an e-mail, a meeting, a done
/// task. About one or more of a contact, a company, a deal and a lead.
#[derive(Clone)]
pub struct ActivityGql(pub Activity);

impl From<Activity> for ActivityGql {
    fn from(row: Activity) -> Self {
        ActivityGql(row)
    }
}

loaders::from_shared_row!(ActivityGql: Activity);

impl About for ActivityGql {
    fn about(&self) -> Links {
        self.0.links()
    }
}

linked_record! {
    #[async_graphql::Object(name = "Activity")]
    impl ActivityGql (0.id) {
        {
            pub async fn id(&self) -> ID {
                ID(self.0.id.to_string())
            }
            #[graphql(name = "type")]
            async fn activity_type(&self) -> ActivityTypeGql {
                ActivityType::parse(&self.0.activity_type)
                    .unwrap_or(ActivityType::Other)
                    .into()
            }
            async fn subject(&self) -> Option<&str> {
                self.0.subject.as_deref()
            }
            /// Up to 64 KiB of text, as written.
            async fn body(&self) -> Option<&str> {
                self.0.body.as_deref()
            }
            /// When it happened (which may be before it was logged).
            async fn occurred_at(&self) -> DateTime<Utc> {
                self.0.occurred_at
            }
            /// Your own data about it, as a JSON object.
            async fn metadata(&self) -> Json<serde_json::Value> {
                Json(self.0.metadata.clone())
            }
            /// The API key that logged it.
            async fn created_by(&self) -> ID {
                ID(self.0.created_by.to_string())
            }
        }
        about: Records;

        /// Increases with every change; pass it as `expectedVersion` to update safely.
        async fn version(&self) -> i32 {
            self.0.version
        }
        async fn created_at(&self) -> DateTime<Utc> {
            self.0.created_at
        }
        async fn updated_at(&self) -> DateTime<Utc> {
            self.0.updated_at
        }
    }
}

#[derive(SimpleObject)]
pub struct LogActivityPayload {
    pub activity: ActivityGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct UpdateActivityPayload {
    pub activity: ActivityGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

#[derive(SimpleObject)]
pub struct DeleteActivityPayload {
    /// The activity as it was before it was deleted.
    pub activity: ActivityGql,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

record_payload!(
    LogActivityPayload { activity: Activity },
    UpdateActivityPayload { activity: Activity },
    DeleteActivityPayload { activity: Activity },
);
