-- Asset-check side, written independently of the export SQL: every normalised email
-- (lower-cased, trimmed) of any lead - current or deleted - that may not receive paid media.
-- A flag that is not exactly false (true or NULL) suppresses.
SELECT DISTINCT lower(trim(work_email, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))) AS email
FROM b2b.persons
WHERE work_email IS NOT NULL
  AND (
      is_unsubscribed IS NOT false
      OR is_marketing_suspended IS NOT false
      OR is_email_invalid IS NOT false
      OR is_deleted IS NOT false
  );
