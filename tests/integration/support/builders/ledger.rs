//! `JournalEntryBuilder`: a journal entry, as an accountant or billing would post it; and the
//! accounts of a workspace's default chart by code.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::Draft;
use crate::support::TestApp;

/// What a created journal entry holds.
pub const JOURNAL_ENTRY_FIELDS: &str = "id number date memo status postedAt version lines { id lineNo currency debit credit description account { id code } }";

/// `JournalEntryBuilder::on("2026-12-01").debit(&cash, "100.00").credit(&revenue, "100.00").posted().create(&app)`;
/// amounts are in USD unless `currency` says otherwise for the lines that follow.
#[derive(Clone, Debug)]
pub struct JournalEntryBuilder {
    draft: Draft,
    lines: Vec<Value>,
    currency: String,
}

impl JournalEntryBuilder {
    pub fn on(date: &str) -> JournalEntryBuilder {
        JournalEntryBuilder {
            draft: Draft::new("date", date),
            lines: Vec::new(),
            currency: "USD".into(),
        }
    }

    /// The currency of the lines added after this.
    pub fn currency(mut self, currency: &str) -> JournalEntryBuilder {
        self.currency = currency.to_owned();
        self
    }

    pub fn debit(mut self, account_id: &str, amount: &str) -> JournalEntryBuilder {
        self.lines
            .push(json!({ "accountId": account_id, "currency": self.currency, "debit": amount }));
        self
    }

    pub fn credit(mut self, account_id: &str, amount: &str) -> JournalEntryBuilder {
        self.lines
            .push(json!({ "accountId": account_id, "currency": self.currency, "credit": amount }));
        self
    }

    pub fn memo(mut self, memo: &str) -> JournalEntryBuilder {
        self.draft = self.draft.set("memo", memo);
        self
    }

    /// Posted at once, rather than a draft.
    pub fn posted(mut self) -> JournalEntryBuilder {
        self.draft = self.draft.set("status", "POSTED");
        self
    }

    pub fn with_key(mut self, key: &str) -> JournalEntryBuilder {
        self.draft = self.draft.with_key(key);
        self
    }

    /// The `createJournalEntry` input this builder makes.
    pub fn input(&self) -> Value {
        let mut input = Value::Object(self.draft.input.clone());
        input["lines"] = Value::Array(self.lines.clone());
        input
    }

    /// Creates the entry; returns it with `JOURNAL_ENTRY_FIELDS`.
    pub async fn create(self, app: &TestApp) -> Value {
        let mutation = format!(
            "mutation($input: CreateJournalEntryInput!) {{ createJournalEntry(input: $input) {{ journalEntry {{ {JOURNAL_ENTRY_FIELDS} }} }} }}"
        );
        let draft = self.draft.set("lines", Value::Array(self.lines));
        draft
            .create(app, &mutation, "createJournalEntry", "journalEntry")
            .await
    }
}

/// The workspace's accounts (as `key` sees them) by code: the default chart and any added.
pub async fn account_ids(app: &TestApp, key: &str) -> HashMap<String, String> {
    let response = app
        .gql_as(
            key,
            "{ accountingAccounts(first: 100) { edges { node { id code } } } }",
            json!({}),
        )
        .await;
    response.data()["accountingAccounts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            (
                node["code"].as_str().unwrap().to_owned(),
                node["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
