-- A pipeline's value, kept by triggers in the same transaction as the deals it sums, so that
-- `pipelineSummary` and `forecast` read a few thousand rollup rows instead of every deal of
-- the pipeline (700,000 deals took seconds; the rollups are independent of that number).
--
-- One row per pipeline, stage, status, day and currency. The day is the one the forecast
-- buckets by: an open deal's expected close date, a won deal's won date (UTC); a lost deal, or
-- an open one without a close date, has none. Days rather than months, because a forecast
-- range may start or end mid-month and must count exactly the days in it.
--
-- The weighted value is not stored: it depends on the stage's probability, which can change
-- without any deal changing. So a row keeps the weighted sum of the deals that carry their own
-- probability and the plain sum of those that take their stage's, and a read adds
-- `own_weighted + stage_weighted_amount * stage.probability`.
--
-- Rows whose deals all left stay with zeros (readers skip `deals = 0`); their number is
-- bounded by the distinct keys ever used. Statement-level triggers with transition tables keep
-- bulk writes (the seed, a stage's deals moved at once) to one upsert per key, taken in key
-- order so that two transactions cannot deadlock on them.
CREATE TABLE deal_rollups (
    workspace_id           uuid NOT NULL,
    pipeline_id            uuid NOT NULL,
    stage_id               uuid NOT NULL,
    status                 text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    day                    date,
    currency               char(3) NOT NULL,
    deals                  bigint NOT NULL,
    amount                 numeric NOT NULL,
    own_weighted           numeric NOT NULL,
    stage_weighted_amount  numeric NOT NULL,
    FOREIGN KEY (workspace_id, stage_id) REFERENCES stages (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX deal_rollups_key
    ON deal_rollups (pipeline_id, stage_id, status, day, currency) NULLS NOT DISTINCT;
CREATE INDEX deal_rollups_stage ON deal_rollups (workspace_id, stage_id);

-- Where a deal's row counts: its status and its day (see the table's comment).
CREATE FUNCTION deal_rollup_status(won_at timestamptz, lost_at timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN won_at IS NOT NULL THEN 'won' WHEN lost_at IS NOT NULL THEN 'lost' ELSE 'open' END;

CREATE FUNCTION deal_rollup_day(won_at timestamptz, lost_at timestamptz, expected_close_date date)
    RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN won_at IS NOT NULL THEN (won_at AT TIME ZONE 'UTC')::date
                WHEN lost_at IS NOT NULL THEN NULL
                ELSE expected_close_date END;

INSERT INTO deal_rollups
SELECT workspace_id, pipeline_id, stage_id, deal_rollup_status(won_at, lost_at),
       deal_rollup_day(won_at, lost_at, expected_close_date), currency,
       count(*), sum(amount),
       coalesce(sum(amount * close_probability), 0),
       coalesce(sum(amount) FILTER (WHERE close_probability IS NULL), 0)
  FROM deals
 GROUP BY 1, 2, 3, 4, 5, 6;

-- Takes the deals that left a rollup key out of it and adds those that arrived, in one upsert
-- in key order. Keys whose stage is gone (a workspace being deleted) are skipped: their rows
-- went with the stage.
CREATE FUNCTION deal_rollups_add(leaving deals[], arriving deals[]) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO deal_rollups AS r
    SELECT c.workspace_id, c.pipeline_id, c.stage_id,
           deal_rollup_status(c.won_at, c.lost_at),
           deal_rollup_day(c.won_at, c.lost_at, c.expected_close_date), c.currency,
           sum(c.sign), sum(c.sign * c.amount),
           coalesce(sum(c.sign * c.amount * c.close_probability), 0),
           coalesce(sum(c.sign * c.amount) FILTER (WHERE c.close_probability IS NULL), 0)
      FROM (SELECT -1 AS sign, d.* FROM unnest(leaving) d
            UNION ALL
            SELECT 1, d.* FROM unnest(arriving) d) c
     WHERE EXISTS (SELECT 1 FROM stages s WHERE s.workspace_id = c.workspace_id AND s.id = c.stage_id)
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY 2, 3, 4, 5, 6
        ON CONFLICT (pipeline_id, stage_id, status, day, currency) DO UPDATE
       SET deals = r.deals + EXCLUDED.deals,
           amount = r.amount + EXCLUDED.amount,
           own_weighted = r.own_weighted + EXCLUDED.own_weighted,
           stage_weighted_amount = r.stage_weighted_amount + EXCLUDED.stage_weighted_amount;
$$;

CREATE FUNCTION deals_rolled_up_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deal_rollups_add('{}', array_agg(d::deals)) FROM inserted d;
    RETURN NULL;
END $$;

CREATE FUNCTION deals_rolled_up_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deal_rollups_add(array_agg(d::deals), '{}') FROM deleted d;
    RETURN NULL;
END $$;

-- Only the rows whose rolled-up columns changed: a renamed deal touches no rollup.
CREATE FUNCTION deals_rolled_up_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deal_rollups_add(array_agg(b::deals), array_agg(a::deals))
       FROM before b JOIN after a ON a.id = b.id
      WHERE (b.pipeline_id, b.stage_id, b.won_at, b.lost_at, b.expected_close_date,
             b.currency, b.amount, b.close_probability)
            IS DISTINCT FROM
            (a.pipeline_id, a.stage_id, a.won_at, a.lost_at, a.expected_close_date,
             a.currency, a.amount, a.close_probability);
    RETURN NULL;
END $$;

CREATE TRIGGER deals_rolled_up_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION deals_rolled_up_insert();
CREATE TRIGGER deals_rolled_up_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION deals_rolled_up_delete();
CREATE TRIGGER deals_rolled_up_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION deals_rolled_up_update();
