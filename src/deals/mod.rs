//! Domain: deals — opportunities moving through a pipeline's stages with a lossless stage
//! history, the contacts involved and their roles, tags, and pipeline reports. Offers the rows
//! and their SQL (`model`), pure rules (`rules`), operations through the write path (`ops`)
//! and the events deals publish (`events`). Depends on pipelines (a deal sits in a stage) and
//! contacts (a deal links people and a company); neither depends on deals.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;
