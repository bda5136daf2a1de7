//! Integration tests: one binary, so the PostgreSQL cluster and the template database are
//! set up once per run. Each test gets its own database cloned from the template.
//!
//! The folders mirror the CRM's domains (`deals/`, `pipelines/`, `contacts/`, `leads/`) and the
//! infrastructure with a public face of its own (`auth/`, `events/`); `platform/` holds what
//! serves every domain alike (HTTP and WebSocket transport, the write path, migrations, the
//! CLI, operations endpoints, GraphiQL, the seed). Fixtures come from `support::builders`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod activities;
mod auth;
mod billing;
mod contacts;
mod deals;
mod events;
mod leads;
mod ledger;
mod mcp;
mod pipelines;
mod platform;
mod routing;
mod scoring;
mod tasks;
mod timeline;
mod webhooks;
