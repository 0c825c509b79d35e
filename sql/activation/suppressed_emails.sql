-- Normalised emails that must never be exported: consent is the most restrictive across
-- duplicates, so ONE suppressed lead (current or deleted: a deleted lead may be an erasure
-- request) suppresses every lead with the same normalised email. A NULL flag is unreadable
-- and counts as suppressed.
CREATE OR REPLACE TEMP TABLE activation_suppressed_emails AS
-- The CASE makes the cheap flag test guard the email normalisation: as two AND-ed predicates
-- DuckDB normalised all 1M emails first (0.7 s instead of 0.08 s at 1M leads).
SELECT DISTINCT activation_normalised_email(work_email) AS email
FROM b2b.persons
WHERE CASE
    WHEN activation_is_suppressed(is_unsubscribed, is_marketing_suspended, is_email_invalid, is_deleted)
    THEN activation_normalised_email(work_email) IS NOT NULL
    ELSE false
END;
