//! Domain: sales pipelines and their ordered stages — what a deal moves through. Offers the
//! rows and their SQL (`model`), pure rules (`rules`) and operations through the write path
//! (`ops`), its events (`events`) and the per-workspace in-memory copy of its rows
//! (`reference`). The base of the domain order: pipelines depend on no
//! other domain, so deleting a stage that still holds deals takes deals' part as an argument
//! (`ops::StageOccupants`).

pub mod events;
pub mod model;
pub mod ops;
pub mod reference;
pub mod rules;
