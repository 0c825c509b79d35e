-- Engagement weight per activity type (engagement.yaml), rebuilt by the engagement step that
-- reads it; rows are inserted with bound parameters.
CREATE SCHEMA IF NOT EXISTS work;

CREATE OR REPLACE TABLE work.engagement_weights (
    activity_type_id BIGINT NOT NULL PRIMARY KEY,
    weight DOUBLE NOT NULL
);
