-- Deal page: the deal with its stage and pipeline names, its contacts with their roles, its
-- last 20 stage changes. Three independent statements in one pipelined round trip.
\startpipeline
SELECT d.title, d.amount, s.name AS stage, p.name AS pipeline FROM deals d JOIN stages s ON s.id = d.stage_id JOIN pipelines p ON p.id = d.pipeline_id WHERE d.workspace_id = :ws AND d.id = :deal;
SELECT dc.role, dc.contact_id FROM deal_contacts dc WHERE dc.workspace_id = :ws AND dc.deal_id = :deal ORDER BY dc.created_at, dc.contact_id;
SELECT c.sequence, c.from_stage_name, c.to_stage_name, c.changed_at FROM stage_changes c WHERE c.workspace_id = :ws AND c.deal_id = :deal ORDER BY c.sequence DESC LIMIT 20;
\endpipeline
