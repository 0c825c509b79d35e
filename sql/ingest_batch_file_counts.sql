-- Records read and records quarantined per file of the batch. A record rejected by the CSV
-- parser never reached `checked`, so it is added back to the records read.
CREATE OR REPLACE TEMP TABLE batch_file_counts AS
WITH staged AS (
    SELECT source_drop AS "drop", source_file, count(*) AS staged FROM checked GROUP BY ALL
),
rejected AS (
    SELECT "drop", source_file,
           count(DISTINCT line_number) FILTER (WHERE starts_with("check", 'csv:')) AS unparsed,
           count(DISTINCT line_number) FILTER (WHERE disposition = 'quarantined') AS quarantined,
           count(*) FILTER (WHERE disposition = 'flagged') AS flagged
    FROM batch_rejects GROUP BY ALL
)
SELECT f."drop", f.source_file,
       coalesce(staged.staged, 0) + coalesce(rejected.unparsed, 0) AS records,
       coalesce(rejected.quarantined, 0) AS quarantined,
       coalesce(rejected.flagged, 0) AS flagged
FROM (SELECT DISTINCT "drop", source_file FROM batch_files) AS f
LEFT JOIN staged USING ("drop", source_file)
LEFT JOIN rejected USING ("drop", source_file);
