-- Persons matching a role's conditions, per solution interest (build_rule_matches fills it).
-- A person may match several roles; membership keeps the first in role_order.
CREATE SCHEMA IF NOT EXISTS work;
CREATE OR REPLACE TABLE work.rule_matches (
    solution_interest_id VARCHAR NOT NULL,
    person_key VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    role_order INTEGER NOT NULL,
    reason VARCHAR                      -- the conditions in words with the person's values
);
