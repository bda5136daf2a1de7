-- Invoice page: the invoice with its customer (company and contact), its lines in order and its
-- payments, oldest first. Three independent statements in one pipelined round trip.
\startpipeline
SELECT i.number, i.status, i.currency, i.issue_date, i.due_date, i.subtotal, i.tax_total, i.total, i.amount_paid, i.amount_due, co.name AS company, co.domain, c.name AS contact, c.email FROM invoices i LEFT JOIN companies co ON co.workspace_id = i.workspace_id AND co.id = i.company_id LEFT JOIN contacts c ON c.workspace_id = i.workspace_id AND c.id = i.contact_id WHERE i.workspace_id = :ws AND i.id = :invoice;
SELECT l.line_no, l.name, l.quantity, l.unit_amount, l.discount, l.tax_rate, l.total FROM invoice_lines l WHERE l.workspace_id = :ws AND l.invoice_id = :invoice ORDER BY l.line_no;
SELECT p.kind, p.amount, p.paid_at, p.method FROM payments p WHERE p.workspace_id = :ws AND p.invoice_id = :invoice ORDER BY p.paid_at, p.id;
\endpipeline
