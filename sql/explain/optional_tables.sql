-- Which tables and columns of later stages exist in this warehouse (journeys are optional).
SELECT
    EXISTS (SELECT 1 FROM information_schema.columns
            WHERE table_schema = 'marts' AND table_name = 'buying_groups'
              AND column_name = 'lifecycle_stage') AS has_lifecycle_stage,
    EXISTS (SELECT 1 FROM information_schema.tables
            WHERE table_schema = 'marts' AND table_name = 'journey_state') AS has_journey_state
