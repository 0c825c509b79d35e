-- Active members no longer assigned (title change, moved account, deleted, manual remove,
-- group gone) are kept as removed. Already-removed rows are untouched: removed_at is set
-- once; their role, source and scores stay as they were when they left.
UPDATE marts.buying_group_members AS members
SET is_removed = true,
    removed_at = CAST($as_of AS DATE)
WHERE NOT members.is_removed
  AND NOT EXISTS (
      SELECT 1 FROM scoring_assignments AS assignments
      WHERE assignments.buying_group_id = members.buying_group_id
        AND assignments.person_key = members.person_key
  )
