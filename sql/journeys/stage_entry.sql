-- Every buying group that has no stage yet starts in the model's entry stage; then the
-- current lifecycle stage of each group = its latest accepted move up to as_of.
INSERT INTO marts.buying_group_stage_history
SELECT g.buying_group_id, CAST($as_of AS DATE), 0, NULL, $entry_stage, 'entry', NULL, NULL, true, NULL
FROM marts.buying_groups AS g
WHERE NOT EXISTS (
    SELECT 1 FROM marts.buying_group_stage_history AS h
    WHERE h.buying_group_id = g.buying_group_id AND h.as_of <= CAST($as_of AS DATE));
CREATE OR REPLACE TEMP TABLE jw_stage AS
SELECT buying_group_id, to_stage AS stage
FROM marts.buying_group_stage_history
WHERE accepted AND as_of <= CAST($as_of AS DATE)
QUALIFY row_number() OVER (PARTITION BY buying_group_id ORDER BY as_of DESC, seq DESC) = 1;
