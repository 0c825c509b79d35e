-- One row per current group per template role: active members holding the role and
-- rc = 100 * min(n, members_required) / members_required (a role requiring no member is
-- complete).
INSERT INTO marts.buying_group_roles (
    buying_group_id, role, weight, required, members_required, members_assigned,
    role_completeness, role_order
)
SELECT
    groups.buying_group_id,
    template.role,
    template.weight,
    coalesce(template.required, true),
    template.members_required,
    count(members.person_key) AS members_assigned,
    CASE WHEN template.members_required <= 0 THEN 100.0
         ELSE 100.0 * least(count(members.person_key), template.members_required)
              / template.members_required END AS role_completeness,
    template.role_order
FROM scoring_groups AS groups
JOIN work.si_roles AS template ON template.solution_interest_id = groups.solution_interest_id
LEFT JOIN marts.buying_group_members AS members
    ON members.buying_group_id = groups.buying_group_id
   AND members.role = template.role
   AND NOT members.is_removed
GROUP BY groups.buying_group_id, template.role, template.weight, template.required,
         template.members_required, template.role_order
