//! Domain: API keys managed through the API — an admin creates and revokes its workspace's
//! keys through the write path (audited, idempotent, dry-runnable). Authentication itself and
//! the operator's key creation live below the write layer, in `crate::auth`.

pub mod events;
pub mod ops;
