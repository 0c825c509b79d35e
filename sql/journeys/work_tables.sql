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
-- jw_member_persons: the leads who are active members of a group, with their normalised email
-- and whether a person action may reach them (never a suppressed person: own flags, or any
-- lead sharing the normalised email), worked out once per run instead of once per action.
-- Only the persons columns the person actions read ({person_columns}: their file fields and
-- the fields of every `people.where`), not the whole row.
CREATE OR REPLACE TEMP TABLE jw_member_persons AS
WITH members AS (
    SELECT {person_columns}, activation_normalised_email(work_email) AS jw_email,
           activation_is_suppressed(is_unsubscribed, is_marketing_suspended, is_email_invalid, is_deleted)
               AS jw_flagged
    FROM b2b.persons
    WHERE person_key IN (SELECT person_key FROM marts.buying_group_members WHERE NOT is_removed)
)
SELECT * EXCLUDE (jw_flagged),
       NOT jw_flagged AND jw_email IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM activation_suppressed_emails AS s WHERE s.email = jw_email) AS jw_reachable
FROM members;
