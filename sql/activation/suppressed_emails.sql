-- Normalised emails that must never be exported: consent is the most restrictive across
-- duplicates, so ONE suppressed lead (current or deleted: a deleted lead may be an erasure
-- request) suppresses every lead with the same normalised email. A NULL flag is unknown and
-- counts as suppressed. The address is taken as delivered (email_as_given), so a malformed
-- copy (`kai@x.example<TAB>`, `mailto:...`) of a suppressed lead still suppresses the clean one.
-- A lead row quarantined for another reason (an unreadable updatedAt) still suppresses its
-- address when a consent flag in it reads true: consent is never lost to a bad timestamp.
-- Needs activation/macros.sql and validated/macros.sql (bg_text, bg_bool) on the connection.
CREATE OR REPLACE TEMP TABLE activation_suppressed_emails AS
-- The CASE makes the cheap flag test guard the email normalisation: as two AND-ed predicates
-- DuckDB normalised every email first.
SELECT activation_normalised_email(coalesce(email_as_given, work_email)) AS email
FROM b2b.persons
WHERE CASE
    WHEN activation_is_suppressed(is_unsubscribed, is_marketing_suspended, is_email_invalid, is_deleted)
    THEN activation_normalised_email(coalesce(email_as_given, work_email)) IS NOT NULL
    ELSE false
END
UNION
SELECT activation_normalised_email(json_extract_string(record, '$.email')) AS email
FROM (
    -- A record the CSV parser could not read is kept as its raw line, not as JSON.
    SELECT CASE WHEN json_valid(raw_record) THEN raw_record::JSON END AS record
    FROM b2b.rejected_rows
    WHERE entity = 'leads' AND disposition = 'quarantined'
) AS quarantined
WHERE (
      bg_bool(bg_text(json_extract_string(record, '$.unsubscribed')))
      OR bg_bool(bg_text(json_extract_string(record, '$.marketingSuspended')))
      OR bg_bool(bg_text(json_extract_string(record, '$.emailInvalid')))
      OR bg_bool(bg_text(json_extract_string(record, '$.marketoIsDeleted')))
  )
  AND activation_normalised_email(json_extract_string(record, '$.email')) IS NOT NULL;
