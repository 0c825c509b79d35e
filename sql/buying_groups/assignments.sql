-- Who is in which group with which role as of this run (SPEC §5). One role per person per
-- group, by precedence manual add > CRM contact role > rule; a manual remove beats all.
--   CRM: contact roles on current opportunities OF THAT ACCOUNT (current contact-role rows),
--        CRM role name matched case-insensitively via crm_role_map; several CRM roles ->
--        the mapped role first in template order.
--   rule: first matching role in template order; with require_interest only persons who
--        show interest in the solution interest.
-- Candidates are always current persons of the group's account. Each candidate carries the
-- reason in words (marts.buying_group_member_reasons): the override line, the CRM role and its
-- opportunity, or the role's conditions with the person's values.
CREATE OR REPLACE TEMP TABLE scoring_assignments AS
WITH current_persons AS (
    SELECT person_key, account_key FROM b2b.persons WHERE NOT is_deleted
),
interested AS (
    SELECT DISTINCT solution_interest_id, person_key FROM work.interest_persons
),
manual_removes AS (
    SELECT buying_group_id, person_key
    FROM scoring_overrides
    WHERE ignored_reason IS NULL AND action = 'remove'
),
manual AS (
    SELECT buying_group_id, person_key, role, role_order, 1 AS source_rank, 'manual' AS assignment_source,
           'added manually (membership_overrides.csv' || coalesce(' line ' || line_number, '') || ')' AS reason
    FROM scoring_overrides
    WHERE ignored_reason IS NULL AND action = 'add'
),
crm AS (
    SELECT groups.buying_group_id, contacts.person_key, template.role, template.role_order,
           2 AS source_rank, 'crm' AS assignment_source,
           format('CRM contact role ''{}'' on opportunity ''{}'' ({})', trim(contacts.role),
                  coalesce(opportunities.opportunity_name, opportunities.opportunity_key),
                  opportunities.opportunity_key) AS reason
    FROM scoring_groups AS groups
    JOIN b2b.opportunities AS opportunities
        ON opportunities.account_key = groups.account_key AND NOT opportunities.is_deleted
    JOIN b2b.opportunity_persons AS contacts
        ON contacts.opportunity_key = opportunities.opportunity_key AND NOT contacts.is_deleted
    JOIN current_persons AS persons
        ON persons.person_key = contacts.person_key AND persons.account_key = groups.account_key
    JOIN work.crm_role_map AS role_map
        ON role_map.solution_interest_id = groups.solution_interest_id
       AND lower(trim(role_map.crm_role)) = lower(trim(contacts.role))
    JOIN work.si_roles AS template
        ON template.solution_interest_id = groups.solution_interest_id
       AND template.role = role_map.role
),
rule AS (
    SELECT groups.buying_group_id, matches.person_key, template.role, template.role_order,
           3 AS source_rank, 'rule' AS assignment_source,
           coalesce(matches.reason, 'matches the ' || template.role || ' conditions')
               || CASE WHEN groups.require_interest THEN ' and shows interest' ELSE '' END AS reason
    FROM work.rule_matches AS matches
    JOIN current_persons AS persons ON persons.person_key = matches.person_key
    JOIN scoring_groups AS groups
        ON groups.solution_interest_id = matches.solution_interest_id
       AND groups.account_key = persons.account_key
    JOIN work.si_roles AS template
        ON template.solution_interest_id = matches.solution_interest_id
       AND template.role = matches.role
    WHERE NOT groups.require_interest
       OR EXISTS (
           SELECT 1 FROM interested
           WHERE interested.solution_interest_id = matches.solution_interest_id
             AND interested.person_key = matches.person_key
       )
),
candidates AS (
    SELECT * FROM manual
    UNION ALL SELECT * FROM crm
    UNION ALL SELECT * FROM rule
),
chosen AS (
    SELECT candidates.*
    FROM candidates
    ANTI JOIN manual_removes
        ON manual_removes.buying_group_id = candidates.buying_group_id
       AND manual_removes.person_key = candidates.person_key
    QUALIFY row_number() OVER (
        PARTITION BY candidates.buying_group_id, candidates.person_key
        ORDER BY source_rank, role_order, role, reason
    ) = 1
)
SELECT
    chosen.buying_group_id,
    chosen.person_key,
    chosen.role,
    chosen.assignment_source,
    chosen.reason,
    coalesce(engagement.person_engagement_score, 0) AS person_engagement_score,
    interested.person_key IS NOT NULL AS has_interest
FROM chosen
JOIN scoring_groups AS groups USING (buying_group_id)
LEFT JOIN marts.person_engagement AS engagement ON engagement.person_key = chosen.person_key
LEFT JOIN interested
    ON interested.solution_interest_id = groups.solution_interest_id
   AND interested.person_key = chosen.person_key
