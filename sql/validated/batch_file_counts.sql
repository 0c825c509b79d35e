-- Records read and records quarantined per file of the batch. A record rejected by the CSV
-- parser (batch_unparsed) never reached the batch table, so it is added back to the records read.
CREATE OR REPLACE TEMP TABLE batch_file_counts AS
WITH staged AS (
    SELECT source_drop AS "drop", source_file, count(*) AS staged FROM {batch} GROUP BY ALL
),
unparsed AS (
    SELECT "drop", source_file, count(DISTINCT line_number) AS unparsed FROM batch_unparsed GROUP BY ALL
),
rejected AS (
    SELECT "drop", source_file,
           count(DISTINCT line_number) FILTER (WHERE disposition = 'quarantined') AS quarantined,
           count(*) FILTER (WHERE disposition = 'flagged') AS flagged
    FROM batch_rejects GROUP BY ALL
)
SELECT f."drop", f.source_file,
       coalesce(staged.staged, 0) + coalesce(unparsed.unparsed, 0) AS records,
       coalesce(rejected.quarantined, 0) AS quarantined,
       coalesce(rejected.flagged, 0) AS flagged
FROM (SELECT DISTINCT "drop", source_file FROM batch_files) AS f
LEFT JOIN staged USING ("drop", source_file)
LEFT JOIN unparsed USING ("drop", source_file)
LEFT JOIN rejected USING ("drop", source_file);
