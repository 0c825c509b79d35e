-- The stored marts as the baseline of a diff (the scored day is the day being compared).
CREATE SCHEMA IF NOT EXISTS baseline;
CREATE OR REPLACE VIEW baseline.buying_groups AS SELECT * FROM stored.marts.buying_groups;
CREATE OR REPLACE VIEW baseline.buying_group_members AS SELECT * FROM stored.marts.buying_group_members;
