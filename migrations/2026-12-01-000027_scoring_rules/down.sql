DROP TABLE scoring_rules;
