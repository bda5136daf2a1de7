//! Contacts under the workspace's scoring rules: `rescoreAll(CONTACT)` writes their
//! `leadScore`.

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::contacts::model::Contact;
use crate::contacts::rules::tag_list;
use crate::error::AppError;
use crate::scoring::ops::Scorable;
use crate::scoring::rules::{Facts, ScoredEntity};

/// What scoring sees of a contact, by the API's field names.
fn facts(contact: &Contact) -> Facts {
    Facts {
        text: vec![
            ("name", Some(contact.name.clone())),
            ("firstName", contact.first_name.clone()),
            ("lastName", contact.last_name.clone()),
            ("email", contact.email.clone()),
            ("phone", contact.phone.clone()),
            ("title", contact.title.clone()),
            ("lifecycleStage", Some(contact.lifecycle_stage.clone())),
        ],
        tags: tag_list(&contact.tags),
        custom_fields: contact.custom_fields.value().clone(),
    }
}

#[async_trait]
impl Scorable for Contact {
    const ENTITY: ScoredEntity = ScoredEntity::Contact;

    async fn scored(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        ids: Option<&[Uuid]>,
    ) -> Result<Vec<(Uuid, Option<i32>, Facts)>, AppError> {
        let contacts = Contact::locked_many(conn, workspace_id, ids).await?;
        Ok(contacts
            .iter()
            .map(|c| (c.id, c.lead_score, facts(c)))
            .collect())
    }

    async fn save_scores(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        scores: &[(Uuid, i32)],
    ) -> Result<(), AppError> {
        Contact::save_lead_scores(conn, workspace_id, scores).await?;
        Ok(())
    }
}
