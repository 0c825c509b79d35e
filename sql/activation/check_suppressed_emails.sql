-- Asset-check side, written independently of the export SQL: the addresses, as delivered, of
-- any lead - current or deleted - that may not receive paid media (a flag that is not exactly
-- false, true or unknown, suppresses), and of quarantined lead rows whose consent reads true.
-- verify.py normalises them itself.
SELECT coalesce(email_as_given, work_email)
FROM b2b.persons
WHERE is_unsubscribed IS NOT false
   OR is_marketing_suspended IS NOT false
   OR is_email_invalid IS NOT false
   OR is_deleted IS NOT false
UNION ALL
SELECT record->>'email'
FROM (
    SELECT CASE WHEN json_valid(raw_record) THEN raw_record::JSON END AS record
    FROM b2b.rejected_rows
    WHERE entity = 'leads' AND disposition = 'quarantined'
)
WHERE lower(trim(record->>'unsubscribed')) IN ('true', '1', 'yes')
   OR lower(trim(record->>'marketingSuspended')) IN ('true', '1', 'yes')
   OR lower(trim(record->>'emailInvalid')) IN ('true', '1', 'yes')
   OR lower(trim(record->>'marketoIsDeleted')) IN ('true', '1', 'yes');
