-- Start a new day: remember journey_state as it is now (the state before this day).
CREATE OR REPLACE TABLE journeys.state_before_last_run AS SELECT * FROM marts.journey_state;
INSERT INTO journeys.runs VALUES (CAST($as_of AS DATE));
