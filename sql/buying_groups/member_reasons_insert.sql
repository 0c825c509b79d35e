-- Why every member holds its role, in words, as of $as_of (after the members were updated).
-- Active members: the reason their assignment won (scoring_assignments). Removed members: the
-- reason recorded by the run that removed them, else the first cause that holds now:
--   group gone (solution interest no longer configured, account deleted, account out of the
--   audience) > person deleted > moved to another account > removed manually > the manual
--   add was withdrawn / the CRM role is gone / no interest shown (require_interest) / the
--   role's conditions no longer match.
INSERT INTO marts.buying_group_member_reasons (
    buying_group_id, person_key, role, assignment_source, is_removed, reason, as_of
)
SELECT buying_group_id, person_key, role, assignment_source, false, reason, CAST($as_of AS DATE)
FROM scoring_assignments
UNION ALL
SELECT
    members.buying_group_id,
    members.person_key,
    members.role,
    members.assignment_source,
    true,
    CASE
        WHEN members.removed_at < CAST($as_of AS DATE) AND previous.reason IS NOT NULL THEN previous.reason
        ELSE 'removed on ' || strftime(members.removed_at, '%Y-%m-%d') || ': ' || CASE
            WHEN groups.buying_group_id IS NULL THEN 'group gone: ' || CASE
                WHEN interests.solution_interest_id IS NULL THEN 'its solution interest is no longer configured'
                WHEN group_account.account_key IS NULL OR group_account.is_deleted THEN 'account deleted'
                ELSE format('account no longer in audience ''{}''', interests.account_audience_id) END
            WHEN persons.person_key IS NULL OR persons.is_deleted THEN 'person deleted'
            WHEN persons.account_key IS DISTINCT FROM groups.account_key THEN 'moved to account '
                || coalesce(format('''{}'' ({})', coalesce(new_account.account_name, persons.account_key),
                                   persons.account_key), '(none)')
            WHEN manual_removes.person_key IS NOT NULL THEN 'removed manually (membership_overrides.csv'
                || coalesce(' line ' || manual_removes.line_number, '') || ')'
            WHEN members.assignment_source = 'manual' THEN 'manual add withdrawn from membership_overrides.csv'
            WHEN members.assignment_source = 'crm' THEN format(
                'no CRM contact role mapped to {} on an opportunity of the account any more', members.role)
            WHEN groups.require_interest AND still_matching.person_key IS NOT NULL THEN format(
                'shows no interest in {} in the window (required for rule assignment)', interests.name)
            WHEN rules.rule_text IS NULL THEN format('role {} is no longer assigned by conditions', members.role)
            ELSE format('no longer matches the {} rule: {}', members.role, rules.rule_text)
        END
    END,
    CAST($as_of AS DATE)
FROM marts.buying_group_members AS members
LEFT JOIN scoring_groups AS groups USING (buying_group_id)
LEFT JOIN work.solution_interests AS interests
    ON starts_with(members.buying_group_id, interests.solution_interest_id || ':')
LEFT JOIN b2b.accounts AS group_account
    ON group_account.account_key = members.buying_group_id[length(interests.solution_interest_id) + 2:]
LEFT JOIN b2b.persons AS persons ON persons.person_key = members.person_key
LEFT JOIN b2b.accounts AS new_account ON new_account.account_key = persons.account_key
LEFT JOIN scoring_overrides AS manual_removes
    ON manual_removes.buying_group_id = members.buying_group_id
   AND manual_removes.person_key = members.person_key
   AND manual_removes.ignored_reason IS NULL
   AND manual_removes.action = 'remove'
LEFT JOIN (SELECT DISTINCT solution_interest_id, person_key FROM work.rule_matches) AS still_matching
    ON still_matching.solution_interest_id = groups.solution_interest_id
   AND still_matching.person_key = members.person_key
LEFT JOIN work.role_rules AS rules
    ON rules.solution_interest_id = interests.solution_interest_id AND rules.role = members.role
LEFT JOIN scoring_previous_reasons AS previous
    ON previous.buying_group_id = members.buying_group_id AND previous.person_key = members.person_key
WHERE members.is_removed
