-- The configuration the KPIs need, as small temporary tables filled by the caller with bound
-- parameters (buying_groups.kpis.compute): which audience holds an interest's target accounts
-- and whether the interest gets LinkedIn files, the engagement-weighted activity types, and
-- the lead sources of each ad platform.
CREATE OR REPLACE TEMP TABLE kpi_interests (
    solution_interest_id VARCHAR NOT NULL,
    account_audience_id VARCHAR NOT NULL,
    linkedin_target BOOLEAN NOT NULL
);

CREATE OR REPLACE TEMP TABLE kpi_engagement_types (activity_type_id BIGINT NOT NULL);

CREATE OR REPLACE TEMP TABLE kpi_platforms (platform VARCHAR NOT NULL);

CREATE OR REPLACE TEMP TABLE kpi_lead_sources (
    platform VARCHAR NOT NULL,
    lead_source_key VARCHAR NOT NULL        -- trimmed, lower-cased
);
