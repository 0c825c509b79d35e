-- Orphans are kept and flagged; the flag is recomputed every run so a person whose company
-- arrives in a later drop (or an activity whose lead does) stops being an orphan.
UPDATE b2b.persons
SET has_known_account = NOT has_known_account
WHERE has_known_account <> coalesce(
    account_key IN (SELECT account_key FROM b2b.accounts WHERE NOT is_deleted), false);

UPDATE b2b.experience_events
SET has_known_person = true
WHERE NOT has_known_person AND person_key IN (SELECT person_key FROM b2b.persons);
