-- The journey marts and the engine's own bookkeeping (schema journeys, not exported).
-- Every table is kept per as_of (rows of one day are replaced when that day is re-run),
-- except journey_state, the current position of each (journey, account, entry).
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS journeys;

CREATE TABLE IF NOT EXISTS marts.buying_group_stage_history (
    buying_group_id VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    seq INTEGER NOT NULL,                      -- order of the moves of one day
    from_stage VARCHAR,                        -- NULL for the entry row
    to_stage VARCHAR NOT NULL,
    source VARCHAR NOT NULL CHECK (source IN ('entry', 'journey')),
    journey_id VARCHAR,
    node_id VARCHAR,
    accepted BOOLEAN NOT NULL,
    reason VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.journey_state (
    journey_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    buying_group_id VARCHAR NOT NULL,
    entry_number INTEGER NOT NULL,
    node_id VARCHAR NOT NULL,                  -- current node, or the last one when left
    node_entered_on DATE NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('active', 'completed', 'exited')),
    entered_on DATE NOT NULL,
    left_on DATE,
    as_of DATE NOT NULL,
    PRIMARY KEY (journey_id, account_key, entry_number)
);

CREATE TABLE IF NOT EXISTS marts.journey_log (
    journey_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    entry_number INTEGER NOT NULL,
    as_of DATE NOT NULL,
    seq INTEGER NOT NULL,
    node_id VARCHAR NOT NULL,
    event VARCHAR NOT NULL CHECK (
        event IN ('entered', 'path', 'action', 'ignored', 'waiting', 'timeout', 'completed', 'exited')),
    detail JSON
);

CREATE TABLE IF NOT EXISTS marts.journey_actions (
    action_id VARCHAR NOT NULL,                -- sha256 of journey, account, entry, node, as_of, action index, person
    as_of DATE NOT NULL,
    journey_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL,
    buying_group_id VARCHAR NOT NULL,
    entry_number INTEGER NOT NULL,
    node_id VARCHAR NOT NULL,
    action_index INTEGER NOT NULL,
    seq INTEGER NOT NULL,                      -- order of the actions of one run
    action_type VARCHAR NOT NULL,
    target VARCHAR,
    person_key VARCHAR,
    payload JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.journey_node_counts (
    as_of DATE NOT NULL,
    journey_id VARCHAR NOT NULL,
    node_id VARCHAR NOT NULL,
    accounts_waiting INTEGER NOT NULL,         -- active accounts on the node after the run
    accounts_passed INTEGER NOT NULL,          -- accounts that reached the node on as_of
    PRIMARY KEY (as_of, journey_id, node_id)
);

-- The days the engine ran, and journey_state as it was before the latest one, so that
-- re-running that day starts again from the same state.
CREATE TABLE IF NOT EXISTS journeys.runs (as_of DATE NOT NULL PRIMARY KEY);
CREATE TABLE IF NOT EXISTS journeys.state_before_last_run AS
SELECT * FROM marts.journey_state WITH NO DATA;
