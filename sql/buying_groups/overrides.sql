-- Manual overrides in effect: per (solution interest, account, person) the latest row in
-- file order wins. A row that cannot apply is kept with the reason it is ignored:
--   unknown_action         action is neither add nor remove
--   unknown_group          no current group for (solution interest, account)
--   person_not_in_account  person unknown, deleted, or a person of another account
--   unknown_role           an add whose role is not in the solution interest's template
-- Role names match the template case-insensitively (a hand-typed CSV) and take its spelling.
CREATE OR REPLACE TEMP TABLE scoring_overrides AS
WITH latest AS (
    SELECT
        solution_interest_id,
        account_key,
        person_key,
        lower(trim(action)) AS action,
        trim(role) AS role,
        line_number
    FROM work.overrides
    QUALIFY row_number() OVER (
        PARTITION BY solution_interest_id, account_key, person_key
        ORDER BY override_order DESC, lower(trim(action)) = 'remove' DESC, role
    ) = 1
)
SELECT
    latest.solution_interest_id,
    latest.account_key,
    latest.person_key,
    latest.action,
    latest.role AS requested_role,
    latest.line_number,
    groups.buying_group_id,
    template.role AS role,
    template.role_order,
    CASE
        WHEN latest.action IS NULL OR latest.action NOT IN ('add', 'remove') THEN 'unknown_action'
        WHEN groups.buying_group_id IS NULL THEN 'unknown_group'
        WHEN persons.person_key IS NULL THEN 'person_not_in_account'
        WHEN latest.action = 'add' AND template.role IS NULL THEN 'unknown_role'
    END AS ignored_reason
FROM latest
LEFT JOIN scoring_groups AS groups
    ON groups.solution_interest_id = latest.solution_interest_id
   AND groups.account_key = latest.account_key
LEFT JOIN b2b.persons AS persons
    ON persons.person_key = latest.person_key
   AND persons.account_key = latest.account_key
   AND NOT persons.is_deleted
LEFT JOIN work.si_roles AS template
    ON template.solution_interest_id = latest.solution_interest_id
   AND lower(template.role) = lower(latest.role)
