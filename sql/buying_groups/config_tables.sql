-- The solution interests, their roles, CRM role map and manual overrides as small tables in
-- schema work, so the scoring SQL can join them. Rebuilt from config/ by the step that reads
-- them (load_scoring_config); rows are inserted with bound parameters.
CREATE SCHEMA IF NOT EXISTS work;

CREATE OR REPLACE TABLE work.solution_interests (
    solution_interest_id VARCHAR NOT NULL PRIMARY KEY,
    name VARCHAR NOT NULL,
    roles_template_id VARCHAR NOT NULL,
    account_audience_id VARCHAR NOT NULL,
    min_completeness DOUBLE NOT NULL,   -- the solution interest's, else the instance default
    min_engagement DOUBLE NOT NULL,
    require_interest BOOLEAN NOT NULL
);

CREATE OR REPLACE TABLE work.si_roles (
    solution_interest_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    role_order INTEGER NOT NULL,        -- 0-based position in the template: the priority
    weight DOUBLE NOT NULL,             -- Trivial=20 ... Vital=100
    required BOOLEAN NOT NULL,
    members_required INTEGER NOT NULL,
    PRIMARY KEY (solution_interest_id, role)
);

CREATE OR REPLACE TABLE work.crm_role_map (
    solution_interest_id VARCHAR NOT NULL,
    crm_role VARCHAR NOT NULL,          -- opportunity contact role as written in the CRM
    role VARCHAR NOT NULL,              -- template role it maps to
    PRIMARY KEY (solution_interest_id, crm_role)
);

CREATE OR REPLACE TABLE work.overrides (
    solution_interest_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    person_key VARCHAR NOT NULL,
    action VARCHAR NOT NULL,            -- 'add' or 'remove'
    role VARCHAR,                       -- required for 'add'
    override_order INTEGER NOT NULL,    -- row order in membership_overrides.csv; later wins
    line_number INTEGER                 -- line in membership_overrides.csv, for explanations
);

-- Each role's conditions in words (conditions/render.py), to explain why a member who no
-- longer matches them was removed.
CREATE OR REPLACE TABLE work.role_rules (
    solution_interest_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    rule_text VARCHAR NOT NULL,
    PRIMARY KEY (solution_interest_id, role)
);
