-- The buying groups whose account is in one of their interest's journeys (an active journey
-- position), when the journeys' tables exist.
CREATE OR REPLACE TEMP VIEW kpi_journey_groups AS
SELECT DISTINCT buying_group_id FROM marts.journey_state WHERE status = 'active';
