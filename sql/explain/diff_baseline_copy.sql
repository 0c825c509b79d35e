-- A scratch scoring under the current configuration as the baseline of a diff (another day
-- than the stored one), copied before the scratch marts are scored again.
CREATE SCHEMA IF NOT EXISTS baseline;
CREATE OR REPLACE TABLE baseline.buying_groups AS SELECT * FROM marts.buying_groups;
CREATE OR REPLACE TABLE baseline.buying_group_members AS SELECT * FROM marts.buying_group_members;
