-- EXPLAIN (ANALYZE, BUFFERS) of the SQL behind the benchmarked operations, as the server
-- issues it (see target/bench/plans-*.txt for the plans auto_explain logged from the server
-- itself). Run by bench/run.sh:
--   psql … -v ws=<workspace> -v pipeline=<default pipeline> -v deal=<deal> -f bench/explain.sql
\set ON_ERROR_STOP 1
\pset pager off

SELECT array_agg(id ORDER BY position)::text AS stage_ids
FROM stages WHERE workspace_id = :'ws' AND pipeline_id = :'pipeline' \gset

SELECT count(*) AS deals_in_workspace FROM deals WHERE workspace_id = :'ws';
SELECT s.position, s.name, count(d.id) AS deals
FROM stages s LEFT JOIN deals d ON d.stage_id = s.id
WHERE s.pipeline_id = :'pipeline' GROUP BY s.position, s.name ORDER BY s.position;

\echo
\echo '=== (a) board: first 50 deals of every stage (Deal::first_of_stages)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT picked.* FROM unnest(:'stage_ids'::uuid[]) AS s(id)
CROSS JOIN LATERAL (
    SELECT deals.* FROM deals
    WHERE deals.stage_id = s.id AND deals.workspace_id = :'ws'
    ORDER BY deals.updated_at DESC, deals.id DESC
    LIMIT 51
) AS picked;

SELECT array_agg(picked.id)::text AS board_deal_ids FROM unnest(:'stage_ids'::uuid[]) AS s(id)
CROSS JOIN LATERAL (
    SELECT deals.id FROM deals
    WHERE deals.stage_id = s.id AND deals.workspace_id = :'ws'
    ORDER BY deals.updated_at DESC, deals.id DESC LIMIT 50
) AS picked \gset

\echo
\echo '=== (a) board: totalCount of every stage (Deal::counts_by_stage)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT deals.stage_id, count(*) FROM deals
WHERE deals.workspace_id = :'ws' AND deals.stage_id = ANY(:'stage_ids'::uuid[])
GROUP BY deals.stage_id;

\echo
\echo '=== (a) board: tags of the 350 deals (DealTag::of_deals)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT deal_taggings.deal_id, deal_tags.* FROM deal_taggings
JOIN deal_tags ON deal_tags.id = deal_taggings.tag_id
WHERE deal_taggings.workspace_id = :'ws' AND deal_taggings.deal_id = ANY(:'board_deal_ids'::uuid[])
ORDER BY deal_taggings.deal_id, deal_tags.name;

\echo
\echo '=== (a) board: contacts of the 350 deals (DealContact::of_deals)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM deal_contacts
WHERE deal_contacts.workspace_id = :'ws' AND deal_contacts.deal_id = ANY(:'board_deal_ids'::uuid[])
ORDER BY deal_contacts.deal_id, deal_contacts.created_at, deal_contacts.contact_id;

\echo
\echo '=== (b) deal page: the deal (DealLoader) and its newest 20 changes (StageChange::newest_of_deals)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM deals WHERE deals.workspace_id = :'ws' AND deals.id = ANY(ARRAY[:'deal']::uuid[]);
EXPLAIN (ANALYZE, BUFFERS)
SELECT c.* FROM unnest(ARRAY[:'deal']::uuid[]) AS d(id)
CROSS JOIN LATERAL (
    SELECT * FROM stage_changes
    WHERE deal_id = d.id AND workspace_id = :'ws' AND (NULL::int IS NULL OR sequence < NULL::int)
    ORDER BY sequence DESC LIMIT 21
) c;

\echo
\echo '=== (c) list: deals(first: 100, orderBy: UPDATED_AT) (Deal::page)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM deals WHERE deals.workspace_id = :'ws'
ORDER BY deals.updated_at DESC, deals.id DESC LIMIT 101;

\echo
\echo '=== (c) list: totalCount when asked for (Deal::count_filtered), not part of the benchmark'
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*) FROM deals WHERE deals.workspace_id = :'ws';

\echo
\echo '=== pipelineSummary-like aggregate: count and value per stage and currency'
EXPLAIN (ANALYZE, BUFFERS)
SELECT d.stage_id, d.currency, count(*), sum(d.amount),
       sum(d.amount * coalesce(d.close_probability, s.probability))
FROM deals d JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
WHERE d.workspace_id = :'ws' AND d.pipeline_id = :'pipeline'
GROUP BY d.stage_id, d.currency;

\echo
\echo '=== pipelineSummary-like aggregate on a small pipeline (Partnerships, ~10% of deals)'
SELECT id AS small_pipeline FROM pipelines
WHERE workspace_id = :'ws' AND NOT is_default ORDER BY name LIMIT 1 \gset
EXPLAIN (ANALYZE, BUFFERS)
SELECT d.stage_id, d.currency, count(*), sum(d.amount),
       sum(d.amount * coalesce(d.close_probability, s.probability))
FROM deals d JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
WHERE d.workspace_id = :'ws' AND d.pipeline_id = :'small_pipeline'
GROUP BY d.stage_id, d.currency;
