-- Bulk load (load.py, _finish_bulk_load): the staged batch {batch} keeps only the rows the
-- empty table gets: quarantined rows go, and of a key the batch holds more than once only the
-- winning row ({precedence}, as append.sql/upsert.sql pick it) stays.
-- Needs batch_duplicate_keys (batch_duplicate_keys.sql).
DELETE FROM {batch}
WHERE __reject
   OR rowid IN (
       SELECT validated.rowid
       FROM {batch} AS validated SEMI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
       WHERE NOT validated.__reject
       QUALIFY row_number() OVER (PARTITION BY validated.{key} ORDER BY {precedence}) > 1
   );
