-- Lead list: the 50 most recently updated leads, and how many leads there are. Two statements
-- in one pipelined round trip.
\startpipeline
SELECT l.id, l.name, l.email, l.company_name, l.status, l.source, l.score, l.owner_id, l.tags, l.created_at, l.last_activity_at FROM leads l WHERE l.workspace_id = :ws ORDER BY l.updated_at DESC, l.id DESC LIMIT 50;
SELECT count(*) FROM leads l WHERE l.workspace_id = :ws;
\endpipeline
