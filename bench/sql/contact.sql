-- Contact page: the contact with its company, the newest 20 items of its timeline (its
-- activities and the lead conversion that made it, merged newest first) and how many items the
-- timeline has. Three independent statements in one pipelined round trip.
\startpipeline
SELECT c.name, c.email, c.phone, c.title, c.lifecycle_stage, co.name AS company, co.domain FROM contacts c LEFT JOIN companies co ON co.workspace_id = c.workspace_id AND co.id = c.company_id WHERE c.workspace_id = :ws AND c.id = :contact;
SELECT m.kind, m.id, m.at, m.subject, m.detail FROM ((SELECT 'activity' AS kind, a.id, a.occurred_at AS at, a.subject, a.activity_type AS detail FROM activities a WHERE a.workspace_id = :ws AND a.contact_id = :contact ORDER BY a.occurred_at DESC, a.id DESC LIMIT 20) UNION ALL (SELECT 'conversion', v.id, v.converted_at, v.reason, NULL FROM lead_conversions v WHERE v.workspace_id = :ws AND v.contact_id = :contact ORDER BY v.converted_at DESC, v.id DESC LIMIT 20)) m ORDER BY m.at DESC, m.id DESC LIMIT 20;
SELECT (SELECT count(*) FROM activities a WHERE a.workspace_id = :ws AND a.contact_id = :contact) + (SELECT count(*) FROM lead_conversions v WHERE v.workspace_id = :ws AND v.contact_id = :contact) AS total_count;
\endpipeline
