//! Webhook rows and their SQL.

pub mod attempt;
pub mod delivery;
pub mod endpoint;

pub use attempt::{EndpointStats, WebhookAttempt};
pub use delivery::{DeliveryFilter, DeliveryStatus, NewWebhookDelivery, WebhookDelivery};
pub use endpoint::{NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointChanges};
