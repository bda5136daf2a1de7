//! Domain: sales pipelines and their ordered stages.

pub mod model;
pub mod ops;
pub mod rules;
