DROP TABLE journal_lines;
