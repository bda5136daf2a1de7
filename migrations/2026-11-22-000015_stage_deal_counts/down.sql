DROP TRIGGER deals_counted_update ON deals;
DROP TRIGGER deals_counted_delete ON deals;
DROP TRIGGER deals_counted_insert ON deals;
DROP FUNCTION deals_counted_update();
DROP FUNCTION deals_counted_delete();
DROP FUNCTION deals_counted_insert();
DROP TABLE stage_deal_counts;
