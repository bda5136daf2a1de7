//! Domain: deals, their stage moves and lossless stage history, deal ↔ contact links, tags.

pub mod analytics;
pub mod links;
pub mod list;
pub mod model;
pub mod moves;
pub mod ops;
pub mod rules;
pub mod tags;
