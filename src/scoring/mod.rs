//! Domain: scoring — how promising a lead or contact is, by the workspace's own rules. Each
//! rule gives points (or takes them) when a field meets a condition; a score is the sum,
//! clamped to 0..100. Field and operator checks and the evaluation in `rules`, the rule row
//! in `model`, the operations in `ops`, the events in `events`. Leads call
//! [`ops::score_of`] when they are created or changed; leads and contacts implement
//! [`ops::Scorable`] for batch scoring.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;
