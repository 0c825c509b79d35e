-- The removal reasons of the previous run, kept for members removed before this as_of: why a
-- member left is what was true when it left, not what is true of the person today.
CREATE OR REPLACE TEMP TABLE scoring_previous_reasons AS
SELECT buying_group_id, person_key, reason
FROM marts.buying_group_member_reasons
WHERE is_removed
