//! Integration tests: one binary, so the PostgreSQL cluster and the template database are
//! set up once per run. Each test gets its own database cloned from the template.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod analytics;
mod auth;
mod board;
mod contacts;
mod deals;
mod pipelines;
mod platform;
mod realtime;
