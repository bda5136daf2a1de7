DROP TABLE ledger_counters;
DROP TABLE journal_entries;
