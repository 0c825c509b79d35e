-- Bulk load (load.py, _finish_bulk_load): the staged batch {batch} keeps only the rows the
-- table gets: quarantined rows go, and of a key the batch holds more than once only the first
-- occurrence (drop, file, line order) stays, as ingest_append.sql keeps it.
-- Needs batch_duplicate_keys (ingest_batch_duplicate_keys.sql).
DELETE FROM {batch}
WHERE __reject
   OR rowid IN (
       SELECT staged.rowid
       FROM {batch} AS staged SEMI JOIN batch_duplicate_keys AS dup ON dup.{key} = staged.{key}
       WHERE NOT staged.__reject
       QUALIFY row_number() OVER (
           PARTITION BY staged.{key} ORDER BY staged."source_drop", staged.source_file, staged.source_line
       ) > 1
   );
