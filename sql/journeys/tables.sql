-- The engine's own bookkeeping (schema journeys, not exported; the journey marts come from
-- their models in model/marts.py): the days the engine ran, and journey_state as it was
-- before the latest one, so that re-running that day starts again from the same state.
CREATE SCHEMA IF NOT EXISTS journeys;
CREATE TABLE IF NOT EXISTS journeys.runs (as_of DATE NOT NULL PRIMARY KEY);
CREATE TABLE IF NOT EXISTS journeys.state_before_last_run AS
SELECT * FROM marts.journey_state WITH NO DATA;
