-- Deal list: the 100 most recently updated deals with their stage's name. One statement.
SELECT d.id, d.title, d.amount, s.name AS stage FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.workspace_id = :ws ORDER BY d.updated_at DESC, d.id DESC LIMIT 100;
