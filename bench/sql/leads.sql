-- Lead list: the 50 most recently updated leads, and how many leads there are (from the
-- per-status counts the triggers keep, as dealgraph reads them). Two statements in one
-- pipelined round trip.
\startpipeline
SELECT l.id, l.name, l.email, l.company_name, l.status, l.source, l.score, l.owner_id, l.tags, l.created_at, l.last_activity_at FROM leads l WHERE l.workspace_id = :ws ORDER BY l.updated_at DESC, l.id DESC LIMIT 50;
SELECT coalesce(sum(c.leads), 0)::bigint FROM lead_status_counts c WHERE c.workspace_id = :ws;
\endpipeline
