-- The batch's files are ingested: record it in the ledger (same transaction as the merge).
UPDATE meta.landing_files AS f
SET status = 'ingested', ingested_at = now()::TIMESTAMP,
    rows_read = c.records, rows_quarantined = c.quarantined
FROM batch_file_counts AS c
WHERE f."drop" = c."drop" AND f.source_file = c.source_file AND f.entity = $entity AND f.status = 'pending';
