DROP TABLE lead_conversions;
