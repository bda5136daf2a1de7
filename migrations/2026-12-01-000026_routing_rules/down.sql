DROP TABLE routing_rules;
