DROP TABLE lead_status_changes;
