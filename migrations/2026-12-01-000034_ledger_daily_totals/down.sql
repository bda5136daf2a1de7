DROP TABLE ledger_daily_totals;
