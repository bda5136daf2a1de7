DROP TABLE stage_changes;
