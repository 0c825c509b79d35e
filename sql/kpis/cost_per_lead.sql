-- Cost per lead of one as_of ($as_of) into temp table kpi_cost_rows, per platform and currency
-- over the period ($as_of - $period_days, $as_of]. Platforms: those of kpis.yaml
-- (kpi_platforms) and any other with spend in the period. new_leads counts current persons
-- created in the period whose lead source (trimmed, case-insensitive) is one of the
-- platform's (kpi_lead_sources); it repeats on each currency row of the platform, and spend in
-- one currency is divided by it, never summed with another currency.
CREATE OR REPLACE TEMP TABLE kpi_cost_rows AS
WITH bounds AS (
    SELECT $as_of::DATE AS as_of, $as_of::DATE - $period_days::INTEGER AS period_after
),
spend AS (
    SELECT lower(s.platform) AS platform, upper(s.currency) AS currency, sum(s.spend) AS spend
    FROM b2b.ad_spend AS s CROSS JOIN bounds AS b
    WHERE s."date" > b.period_after AND s."date" <= b.as_of
    GROUP BY ALL
),
leads AS (
    SELECT l.platform, count(DISTINCT p.person_key) AS new_leads
    FROM kpi_lead_sources AS l
    JOIN b2b.persons AS p ON lower(trim(p.lead_source)) = l.lead_source_key
    CROSS JOIN bounds AS b
    WHERE NOT p.is_deleted AND p.created_at::DATE > b.period_after AND p.created_at::DATE <= b.as_of
    GROUP BY ALL
),
platforms AS (
    SELECT platform FROM kpi_platforms
    UNION
    SELECT platform FROM spend
)
SELECT
    b.as_of,
    pl.platform,
    s.currency,
    coalesce(s.spend, 0) AS spend,
    coalesce(l.new_leads, 0) AS new_leads,
    coalesce(s.spend, 0) / nullif(coalesce(l.new_leads, 0), 0) AS cost_per_lead,
    b.period_after + 1 AS period_start,
    b.as_of AS period_end
FROM platforms AS pl
CROSS JOIN bounds AS b
LEFT JOIN spend AS s ON s.platform = pl.platform
LEFT JOIN leads AS l ON l.platform = pl.platform;
