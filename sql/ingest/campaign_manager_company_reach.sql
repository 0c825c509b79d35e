-- The "Company Name Segment" table of a LinkedIn Campaign Manager demographics report as
-- ad_company_reach rows (see buying_groups.ingest.campaign_manager). The table runs from the
-- row after its segment row to the next "... Segment" row or blank line (the reader may drop
-- blank lines, so rows are found by content, not by line number). Its impressions cover the
-- report's whole window and are dated on its last day ($report_end). {reader} reads the whole
-- file; the caller keeps insertion order, so row_number() is file order.
WITH lines AS (
    SELECT row_number() OVER () AS line, * FROM {reader}
),
segment AS (
    SELECT min(line) AS segment_start FROM lines WHERE trim(c0) = 'Company Name Segment'
),
bounded AS (
    SELECT
        lines.*,
        segment.segment_start,
        min(CASE WHEN lines.line > segment.segment_start
                      AND (nullif(trim(lines.c0), '') IS NULL OR trim(lines.c0) LIKE '% Segment')
                 THEN lines.line END) OVER () AS segment_end
    FROM lines, segment
)
SELECT
    $report_end AS "date",
    $platform AS platform,
    $campaign_id AS campaignId,
    trim(c0) AS companyName,
    NULL::VARCHAR AS companyWebsite,
    NULL::VARCHAR AS linkedinCompanyPageUrl,
    {impressions} AS impressions,
    {clicks} AS clicks
FROM bounded
WHERE line > segment_start AND (segment_end IS NULL OR line < segment_end)
ORDER BY line
