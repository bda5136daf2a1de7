-- The backfilled accounts go with the table (000031's down); nothing to undo here.
SELECT 1;
