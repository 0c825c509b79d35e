-- Per-connection work tables of one run (rebuilt every run).
-- jw_pos: every active (journey, account, entry); `pending` = to be evaluated this round.
CREATE OR REPLACE TEMP TABLE jw_pos AS
SELECT *, true AS pending FROM marts.journey_state WHERE status = 'active';
-- jw_moves: the decisions of one round (target NULL = completed, 'exit' = leave).
CREATE OR REPLACE TEMP TABLE jw_moves (
    journey_id VARCHAR, account_key VARCHAR, entry_number INTEGER, node_id VARCHAR,
    target VARCHAR, event VARCHAR, detail JSON, leave_detail JSON);
-- jw_log: the steps of this run; seq is assigned from (round, step) when published.
CREATE OR REPLACE TEMP TABLE jw_log (
    journey_id VARCHAR, account_key VARCHAR, entry_number INTEGER, round INTEGER, step INTEGER,
    node_id VARCHAR, event VARCHAR, detail JSON);
-- jw_nodes: the configured nodes (type decides whether arriving there blocks).
CREATE OR REPLACE TEMP TABLE jw_nodes (journey_id VARCHAR, node_id VARCHAR, node_type VARCHAR, node_order INTEGER);
CREATE OR REPLACE TEMP TABLE jw_transitions (from_stage VARCHAR, to_stage VARCHAR);
