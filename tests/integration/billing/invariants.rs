//! Invariants under load (a test, not a benchmark): 1,000 random operations from 16
//! concurrent clients — issue, pay in part or in full, refund, void, credit-note, manual
//! journal entries and reversals, re-sent provider references, and some deliberately
//! invalid ones — then the stored state is checked against a model the test keeps itself
//! from what each operation asked and whether it succeeded:
//! every invoice's amountPaid is the sum of its payments less refunds, its amountCredited
//! the sum of its credit notes, its status follows; receivable and cash hold exactly what
//! the model says; the trial balance is zero; the daily totals equal the lines; journal
//! numbers run 1..n without a gap; and refused operations left no row behind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;

use super::{balances, customer, pay, refund};
use crate::support::builders::{account_ids, InvoiceBuilder, JournalEntryBuilder};
use crate::support::TestApp;

const CLIENTS: usize = 16;
const OPERATIONS: usize = 1000;

/// A tiny deterministic generator (xorshift64*), so a failing run can be replayed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Amounts in cents, so the model's arithmetic is exact.
#[derive(Default, Clone)]
struct InvoiceModel {
    total: i64,
    paid: i64,
    credited: i64,
    void: bool,
    payments: usize,
}

#[derive(Default)]
struct Model {
    invoices: HashMap<String, InvoiceModel>,
    /// Payment id → (invoice id, cents still unrefunded).
    payments: HashMap<String, (String, i64)>,
    references: Vec<String>,
    manual_entries: Vec<String>,
    /// Rows the successful operations wrote.
    payment_rows: i64,
    journal_entries: i64,
    cash: i64,
    refused: usize,
}

fn cents(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<2}");
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    whole.parse::<i64>().unwrap() * 100 + sign * frac[..2].parse::<i64>().unwrap()
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn pick<T: Clone>(dice: &mut Dice, items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[dice.below(items.len() as u64) as usize].clone())
}

async fn operate(
    app: &TestApp,
    model: &Mutex<Model>,
    accounts: &HashMap<String, String>,
    company: &str,
    dice: &mut Dice,
    n: usize,
) {
    let open: Vec<String> = {
        let m = model.lock().unwrap();
        m.invoices
            .iter()
            .filter(|(_, i)| !i.void)
            .map(|(id, _)| id.clone())
            .collect()
    };
    let due_of = |id: &str| {
        let m = model.lock().unwrap();
        let i = &m.invoices[id];
        i.total - i.paid - i.credited
    };
    match dice.below(12) {
        // Issue an invoice (whole dollars and cents, a tax line now and then).
        0 | 1 => {
            let unit = 100 + dice.below(200_000) as i64;
            let taxed = dice.below(3) == 0;
            let mut builder = InvoiceBuilder::for_company(company).line("Work", "1", &money(unit));
            let mut total = unit;
            if taxed {
                builder = builder.line_with(json!({"name": "Parts", "kind": "PRODUCT", "quantity": "2", "unitAmount": "10.00", "taxRate": "0.1"}));
                total += 2000 + 200;
            }
            let invoice = builder.issued().create(app).await;
            assert_eq!(cents(invoice["total"].as_str().unwrap()), total);
            let mut m = model.lock().unwrap();
            m.journal_entries += 1;
            m.invoices.insert(
                invoice["id"].as_str().unwrap().to_owned(),
                InvoiceModel {
                    total,
                    ..Default::default()
                },
            );
        }
        // Pay part, or all that the model thinks is due (a concurrent payment may make it an overpayment: refused).
        2..=4 => {
            let Some(id) = pick(dice, &open) else { return };
            let due = due_of(&id);
            let amount = if dice.below(2) == 0 {
                due
            } else {
                1 + dice.below(due.max(1) as u64) as i64
            };
            if amount <= 0 {
                return;
            }
            let reference = format!("ref-{n}");
            let method = ["CASH", "BANK_TRANSFER", "CARD", "CHECK"][dice.below(4) as usize];
            let response = pay(app, json!({"invoiceId": id, "amount": money(amount), "currency": "USD", "method": method, "provider": "psp", "providerReferenceId": reference})).await;
            let mut m = model.lock().unwrap();
            if response.body.get("errors").is_some() {
                // An overpayment (another client paid first), or the invoice was voided meanwhile.
                let code = response.error_code();
                assert!(
                    code == "BAD_USER_INPUT" || code == "CONFLICT",
                    "{}",
                    response.body
                );
                m.refused += 1;
                return;
            }
            let payment = response.data()["recordPayment"]["payment"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let invoice = m.invoices.get_mut(&id).unwrap();
            invoice.paid += amount;
            invoice.payments += 1;
            m.payments.insert(payment, (id, amount));
            m.references.push(reference);
            m.payment_rows += 1;
            m.journal_entries += 1;
            m.cash += amount;
        }
        // A provider re-sends a webhook: the first payment comes back, nothing is written.
        5 => {
            let Some(reference) = pick(dice, &model.lock().unwrap().references) else {
                return;
            };
            let response = pay(app, json!({"invoiceId": open.first(), "amount": "1", "currency": "USD", "method": "CARD", "provider": "psp", "providerReferenceId": reference})).await;
            assert_eq!(
                response.data()["recordPayment"]["duplicate"],
                true,
                "{}",
                response.body
            );
        }
        // Refund part of a payment (sometimes more than is left: refused). The model reserves
        // what it asks for, so a refund within the reserved rest must succeed.
        6 => {
            let (payment, invoice, amount, reserved) = {
                let mut m = model.lock().unwrap();
                let payments: Vec<String> = m.payments.keys().cloned().collect();
                let Some(payment) = pick(dice, &payments) else {
                    return;
                };
                let (invoice, left) = m.payments[&payment].clone();
                let amount = 1 + dice.below((left + 50) as u64) as i64;
                let reserved = amount <= left;
                if reserved {
                    m.payments.get_mut(&payment).unwrap().1 -= amount;
                }
                (payment, invoice, amount, reserved)
            };
            let response =
                refund(app, json!({"paymentId": payment, "amount": money(amount)})).await;
            let mut m = model.lock().unwrap();
            if response.body.get("errors").is_some() {
                assert!(
                    !reserved,
                    "a refund within what is left was refused: {}",
                    response.body
                );
                assert_eq!(response.error_code(), "BAD_USER_INPUT", "{}", response.body);
                m.refused += 1;
                return;
            }
            if !reserved {
                m.payments.get_mut(&payment).unwrap().1 -= amount;
            }
            m.invoices.get_mut(&invoice).unwrap().paid -= amount;
            m.payment_rows += 1;
            m.journal_entries += 1;
            m.cash -= amount;
        }
        // Void (refused once paid or credited).
        7 => {
            let Some(id) = pick(dice, &open) else { return };
            let response = app
                .gql(
                    "mutation($id: ID!) { voidInvoice(input: {id: $id}) { invoice { status } } }",
                    json!({"id": id}),
                )
                .await;
            let mut m = model.lock().unwrap();
            if response.body.get("errors").is_some() {
                assert_eq!(response.error_code(), "CONFLICT", "{}", response.body);
                m.refused += 1;
                return;
            }
            let invoice = m.invoices.get_mut(&id).unwrap();
            assert!(invoice.payments == 0 && invoice.credited == 0);
            invoice.void = true;
            m.journal_entries += 1;
        }
        // A credit note for part of what is due.
        8 => {
            let Some(id) = pick(dice, &open) else { return };
            let amount = 1 + dice.below(due_of(&id).max(1) as u64) as i64;
            let response = app.gql(
                "mutation($input: CreateCreditNoteInput!) { createCreditNote(input: $input) { creditNote { id } } }",
                json!({"input": {"invoiceId": id, "lines": [{"name": "Credit", "quantity": "1", "unitAmount": money(amount)}]}}),
            ).await;
            let mut m = model.lock().unwrap();
            if response.body.get("errors").is_some() {
                // More than is due by now, or the invoice was voided or paid meanwhile.
                assert!(
                    matches!(response.error_code(), "BAD_USER_INPUT" | "CONFLICT"),
                    "{}",
                    response.body
                );
                m.refused += 1;
                return;
            }
            m.invoices.get_mut(&id).unwrap().credited += amount;
            m.journal_entries += 1;
        }
        // A manual entry, or the reversal of one.
        9 => {
            let reverse =
                pick(dice, &model.lock().unwrap().manual_entries).filter(|_| dice.below(2) == 0);
            if let Some(entry) = reverse {
                let response = app.gql("mutation($id: ID!) { reverseJournalEntry(input: {id: $id}) { journalEntry { id } } }", json!({"id": entry})).await;
                let mut m = model.lock().unwrap();
                m.manual_entries.retain(|e| *e != entry);
                if response.body.get("errors").is_some() {
                    assert_eq!(response.error_code(), "CONFLICT", "{}", response.body);
                    m.refused += 1;
                } else {
                    m.journal_entries += 1;
                }
                return;
            }
            let amount = money(100 + dice.below(10_000) as i64);
            let entry = JournalEntryBuilder::on("2026-12-01")
                .debit(&accounts["6100"], &amount)
                .credit(&accounts["1200"], &amount)
                .posted()
                .create(app)
                .await;
            let mut m = model.lock().unwrap();
            m.manual_entries
                .push(entry["id"].as_str().unwrap().to_owned());
            m.journal_entries += 1;
        }
        // Deliberately invalid: another currency, a fraction of a cent, a zero quantity.
        _ => {
            // A payment's invoice may have been voided or paid by another client meanwhile:
            // the server checks that first (CONFLICT), before the bad currency or amount.
            let (response, may_race) = match (dice.below(3), open.first()) {
                (0, Some(id)) => (pay(app, json!({"invoiceId": id, "amount": "5", "currency": "EUR", "method": "CARD"})).await, true),
                (1, Some(id)) => (pay(app, json!({"invoiceId": id, "amount": "0.001", "currency": "USD", "method": "CARD"})).await, true),
                _ => (app.gql("mutation { createInvoice(input: {companyId: \"00000000-0000-7000-8000-000000000000\", lines: [{name: \"x\", quantity: \"0\", unitAmount: \"1\"}]}) { invoice { id } } }", json!({})).await, false),
            };
            let code = response.error_code();
            assert!(
                matches!(code, "BAD_USER_INPUT" | "NOT_FOUND") || (may_race && code == "CONFLICT"),
                "{}",
                response.body
            );
            model.lock().unwrap().refused += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invariants_hold_under_concurrent_random_operations() {
    let app = Arc::new(TestApp::spawn_with(|c| c.pool_size = 16).await);
    let company = customer(&app).await;
    let accounts = Arc::new(account_ids(&app, &app.admin_key).await);
    let model = Arc::new(Mutex::new(Model::default()));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (app, model, accounts, company) = (
                app.clone(),
                model.clone(),
                accounts.clone(),
                company.clone(),
            );
            tokio::spawn(async move {
                let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ ((client as u64 + 1) * 0x1000_0001));
                for i in 0..OPERATIONS / CLIENTS + usize::from(client < OPERATIONS % CLIENTS) {
                    operate(
                        &app,
                        &model,
                        &accounts,
                        &company,
                        &mut dice,
                        client * 1000 + i,
                    )
                    .await;
                }
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let elapsed = started.elapsed();
    // Every client has finished: the model is read alone from here on.
    let model = std::mem::take(&mut *model.lock().unwrap());

    // Every invoice as the model says.
    let mut receivable = 0;
    for (id, expected) in &model.invoices {
        let response = app
            .gql("query($id: ID!) { invoice(id: $id) { status total amountPaid amountCredited amountDue payments { appliedAmount } } }", json!({"id": id}))
            .await;
        let got = &response.data()["invoice"];
        let paid = cents(got["amountPaid"].as_str().unwrap());
        assert_eq!(paid, expected.paid, "{id}: {got}");
        let summed: i64 = got["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| cents(p["appliedAmount"].as_str().unwrap()))
            .sum();
        assert_eq!(summed, paid, "{id}");
        assert_eq!(
            cents(got["amountCredited"].as_str().unwrap()),
            expected.credited,
            "{id}"
        );
        let due = expected.total - expected.paid - expected.credited;
        let status = if expected.void {
            "VOID"
        } else if due == 0 {
            "PAID"
        } else if expected.paid == 0 && expected.credited == 0 {
            "ISSUED"
        } else {
            "PARTIALLY_PAID"
        };
        assert_eq!(got["status"], status, "{id}: {got}");
        if !expected.void {
            assert_eq!(cents(got["amountDue"].as_str().unwrap()), due, "{id}");
            receivable += due;
        }
    }

    // The ledger agrees, balances, and is numbered without gaps; nothing refused was written.
    let (accounts_now, totals) = balances(&app, "USD").await;
    assert_eq!(totals[0]["balance"], "0.00");
    assert_eq!(cents(&accounts_now["1100"]), receivable);
    let cash: i64 = ["1000", "1010", "1200"]
        .iter()
        .map(|c| accounts_now.get(*c).map_or(0, |b| cents(b)))
        .sum();
    let manual: i64 = cents(accounts_now.get("6100").map_or("0.00", |s| s.as_str()));
    assert_eq!(
        cash + manual,
        model.cash,
        "cash, bank and undeposited funds less manual postings"
    );
    let payments = app.count("SELECT count(*) AS n FROM payments").await;
    assert_eq!(payments, model.payment_rows);
    let entries = app.count("SELECT count(*) AS n FROM journal_entries").await;
    assert_eq!(entries, model.journal_entries);
    let numbers = app
        .count("SELECT (count(DISTINCT number) = count(*) AND min(number) = 1 AND max(number) = count(*))::int::bigint AS n FROM journal_entries")
        .await;
    assert_eq!(numbers, 1, "journal numbers run 1..n without a gap");
    let invoice_numbers = app
        .count("SELECT (count(DISTINCT number) = count(*) AND max(substring(number FROM 5)::int) = count(*))::int::bigint AS n FROM invoices WHERE kind = 'invoice'")
        .await;
    assert_eq!(invoice_numbers, 1, "invoice numbers run without a gap");
    let mut conn = app.pool.get().await.unwrap();
    let drift = dealgraph::ledger::model::balance::totals_drift(&mut conn)
        .await
        .unwrap();
    assert_eq!(drift, 0);
    eprintln!(
        "invariants: {OPERATIONS} operations from {CLIENTS} clients in {:.1} s; {} invoices, {} payment rows, {} journal entries, {} refused",
        elapsed.as_secs_f64(),
        model.invoices.len(),
        model.payment_rows,
        model.journal_entries,
        model.refused
    );
}
