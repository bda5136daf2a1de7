//! Webhook operations: managing endpoints (`manage`), sending again on demand (`resend`),
//! and the reads (`read`). Every one needs `admin`; writes go through the write path.

pub mod manage;
pub mod read;
pub mod resend;

use super::model::WebhookEndpoint;

const ENTITY: &str = "webhook_endpoint";

crate::write::locked::lockable!(WebhookEndpoint, ENTITY);
