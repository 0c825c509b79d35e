-- The day the buying-group marts describe (the latest scored day), NULL before the first run.
SELECT max(as_of) FROM marts.buying_groups
