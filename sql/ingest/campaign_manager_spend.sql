-- A LinkedIn Campaign Manager campaign performance report as ad_spend rows (see
-- buying_groups.ingest.campaign_manager). {reader} reads the export from the line after its
-- header row; the other placeholders are its columns (cN by position, NULL when absent).
-- Dates M/D/YYYY become YYYY-MM-DD; a value that is not such a date is passed on as written, so
-- the validation quarantines it with its reason. Blank lines (and rows without a date, such as
-- a totals row) are not data.
SELECT
    coalesce(strftime(try_strptime(trim({date}), '%m/%d/%Y'), '%Y-%m-%d'), trim({date})) AS "date",
    $platform AS platform,
    {campaign_id} AS campaignId,
    {campaign_name} AS campaignName,
    {spend} AS spend,
    coalesce(nullif(trim({currency}), ''), $currency) AS currency,
    {impressions} AS impressions,
    {clicks} AS clicks
FROM {reader}
WHERE nullif(trim({date}), '') IS NOT NULL
