DROP TABLE ledger_currencies;
