-- History keeps one row per group per as_of: replace this as_of's rows (re-runs idempotent).
DELETE FROM marts.buying_group_history WHERE as_of = CAST($as_of AS DATE)
