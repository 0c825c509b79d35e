-- Normalised emails that must never be exported: consent is the most restrictive across
-- duplicates, so ONE suppressed lead (current or deleted: a deleted lead may be an erasure
-- request) suppresses every lead with the same normalised email. A NULL flag is unreadable
-- and counts as suppressed.
CREATE OR REPLACE TEMP TABLE activation_suppressed_emails AS
SELECT DISTINCT activation_normalised_email(work_email) AS email
FROM b2b.persons
WHERE activation_normalised_email(work_email) IS NOT NULL
  AND activation_is_suppressed(is_unsubscribed, is_marketing_suspended, is_email_invalid, is_deleted);
