-- No journeys in this warehouse (marts.journey_state absent): no group is targeted by one.
CREATE OR REPLACE TEMP VIEW kpi_journey_groups AS
SELECT NULL::VARCHAR AS buying_group_id WHERE false;
