-- How many deals each stage holds, kept by triggers in the same transaction as the change.
-- The board shows a count per stage; counting rows on every render scanned most of the
-- deals table (tens of milliseconds at 100,000 deals). Statement-level triggers with
-- transition tables keep bulk writes (the seed) to one counter update per stage. Counter rows
-- are locked in stage-id order, so two moves in opposite directions cannot deadlock.
CREATE TABLE stage_deal_counts (
    workspace_id  uuid NOT NULL,
    stage_id      uuid NOT NULL PRIMARY KEY,
    -- No CHECK (deals >= 0): PostgreSQL checks the row an upsert proposes (a -1 for the stage
    -- a deal left) before it resolves the conflict into an update.
    deals         bigint NOT NULL,
    FOREIGN KEY (workspace_id, stage_id) REFERENCES stages (workspace_id, id) ON DELETE CASCADE
);

INSERT INTO stage_deal_counts (workspace_id, stage_id, deals)
SELECT workspace_id, stage_id, count(*) FROM deals GROUP BY workspace_id, stage_id;

CREATE FUNCTION deals_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_deal_counts (workspace_id, stage_id, deals)
    SELECT workspace_id, stage_id, count(*) FROM inserted
     GROUP BY workspace_id, stage_id ORDER BY stage_id
    ON CONFLICT (stage_id) DO UPDATE SET deals = stage_deal_counts.deals + EXCLUDED.deals;
    RETURN NULL;
END $$;

-- An update only; when a workspace is deleted its stages (and counters) may already be gone.
CREATE FUNCTION deals_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stage_deal_counts c SET deals = c.deals - gone.n
      FROM (SELECT stage_id, count(*) AS n FROM deleted GROUP BY stage_id) gone
     WHERE c.stage_id = gone.stage_id;
    RETURN NULL;
END $$;

CREATE FUNCTION deals_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stage_deal_counts (workspace_id, stage_id, deals)
    SELECT workspace_id, stage_id, sum(n) FROM (
        SELECT b.workspace_id, b.stage_id, -1 AS n
          FROM before b JOIN after a ON a.id = b.id WHERE a.stage_id <> b.stage_id
        UNION ALL
        SELECT a.workspace_id, a.stage_id, 1
          FROM before b JOIN after a ON a.id = b.id WHERE a.stage_id <> b.stage_id
    ) moved
     GROUP BY workspace_id, stage_id ORDER BY stage_id
    ON CONFLICT (stage_id) DO UPDATE SET deals = stage_deal_counts.deals + EXCLUDED.deals;
    RETURN NULL;
END $$;

CREATE TRIGGER deals_counted_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION deals_counted_insert();
CREATE TRIGGER deals_counted_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION deals_counted_delete();
CREATE TRIGGER deals_counted_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION deals_counted_update();
