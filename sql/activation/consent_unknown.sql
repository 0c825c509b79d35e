-- Current persons with at least one consent flag unknown (never delivered, empty, null or
-- unreadable): every activation leaves them out, and the run reports how many.
SELECT count(*)
FROM b2b.persons
WHERE NOT is_deleted
  AND (is_unsubscribed IS NULL OR is_marketing_suspended IS NULL OR is_email_invalid IS NULL);
