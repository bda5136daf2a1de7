DROP TABLE invoice_lines;
DROP TABLE billing_counters;
DROP TABLE invoices;
