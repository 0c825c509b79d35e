-- Replace the quarantine rows of the files in this batch (a retried batch does not duplicate).
DELETE FROM b2b.rejected_rows AS r
WHERE r.entity = $entity
  AND EXISTS (SELECT 1 FROM batch_files AS f WHERE f."drop" = r."drop" AND f.source_file = r.source_file);

INSERT INTO b2b.rejected_rows BY NAME
SELECT $entity AS entity, "drop", source_file, line_number, "column", "check", "value",
       disposition, raw_record, now()::TIMESTAMP AS rejected_at
FROM batch_rejects;
