-- Persons showing interest in a solution interest inside the window (build_interest fills it).
CREATE SCHEMA IF NOT EXISTS work;
CREATE OR REPLACE TABLE work.interest_persons (
    solution_interest_id VARCHAR NOT NULL,
    person_key VARCHAR NOT NULL
);
