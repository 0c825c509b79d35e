-- The latest as_of this warehouse has scored (NULL before the first scoring run): history
-- only moves forward, so a run for an earlier date is refused.
SELECT max(as_of) FROM marts.buying_group_history
