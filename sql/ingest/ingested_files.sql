-- The files the ledger records as ingested: what "already ingested" means for the CLI and
-- the new-drop sensor alike. A file still pending (its run failed) is not ingested yet.
SELECT "drop", source_file
FROM meta.landing_files
WHERE status = 'ingested';
