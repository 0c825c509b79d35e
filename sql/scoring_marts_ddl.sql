-- The scoring marts (SPEC §6). Snapshots (person_engagement, buying_group_roles,
-- buying_groups) are replaced on every run; buying_group_members and buying_group_history
-- are persistent and only ever evolved, so membership and score history are never lost.
CREATE SCHEMA IF NOT EXISTS marts;

-- No PRIMARY KEY: the snapshot is rewritten every run, and building DuckDB's ART index over
-- 1M persons doubled the cost of that write (4.0 s -> 2.0 s without it). One row per person
-- is asserted before commit instead (compute_person_engagement).
CREATE TABLE IF NOT EXISTS marts.person_engagement (
    person_key VARCHAR NOT NULL,
    raw_score DOUBLE NOT NULL,                 -- sum of min(daily count, cap) * type weight
    person_engagement_score DOUBLE NOT NULL,   -- 0..100, sqrt-normalised to the top person
    as_of DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.buying_group_members (
    buying_group_id VARCHAR NOT NULL,
    person_key VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    assignment_source VARCHAR NOT NULL CHECK (assignment_source IN ('manual', 'crm', 'rule')),
    person_engagement_score DOUBLE NOT NULL,
    has_interest BOOLEAN NOT NULL,
    is_removed BOOLEAN NOT NULL,
    added_at DATE NOT NULL,
    removed_at DATE,
    PRIMARY KEY (buying_group_id, person_key)
);

CREATE TABLE IF NOT EXISTS marts.buying_group_roles (
    buying_group_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    required BOOLEAN NOT NULL,
    members_required INTEGER NOT NULL,
    members_assigned INTEGER NOT NULL,
    role_completeness DOUBLE NOT NULL,
    role_order INTEGER NOT NULL,               -- template order (0 = highest priority)
    PRIMARY KEY (buying_group_id, role)
);

CREATE TABLE IF NOT EXISTS marts.buying_groups (
    buying_group_id VARCHAR NOT NULL PRIMARY KEY,
    name VARCHAR NOT NULL,
    solution_interest_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    account_name VARCHAR,
    member_count INTEGER NOT NULL,
    interested_members INTEGER NOT NULL,
    completeness_score DOUBLE NOT NULL,
    weighted_completeness_score DOUBLE NOT NULL,
    engagement_score DOUBLE NOT NULL,
    missing_roles VARCHAR[] NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('sales_ready', 'complete', 'incomplete')),
    qualified_at DATE,
    created_at DATE NOT NULL,
    as_of DATE NOT NULL,
    newly_qualified BOOLEAN NOT NULL,          -- qualified_at = as_of: hand to sales now
    lifecycle_stage VARCHAR                    -- stage model position, set by the journeys stage
);

CREATE TABLE IF NOT EXISTS marts.buying_group_history (
    buying_group_id VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    completeness_score DOUBLE NOT NULL,
    engagement_score DOUBLE NOT NULL,
    stage VARCHAR NOT NULL,
    PRIMARY KEY (buying_group_id, as_of)
);
