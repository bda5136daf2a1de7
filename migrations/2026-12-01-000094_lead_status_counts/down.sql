DROP TRIGGER leads_counted_update ON leads;
DROP TRIGGER leads_counted_delete ON leads;
DROP TRIGGER leads_counted_insert ON leads;
DROP FUNCTION leads_counted_update();
DROP FUNCTION leads_counted_delete();
DROP FUNCTION leads_counted_insert();
DROP FUNCTION lead_status_counts_add(leads[], leads[]);
DROP TABLE lead_status_counts;
