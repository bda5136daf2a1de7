DROP TABLE deal_taggings;
DROP TABLE deal_tags;
