-- Orphans are kept and flagged; the flags of stored rows are recomputed whenever accounts or
-- persons change (load.py), so a person whose company arrives in a later drop (or an activity
-- whose lead does) stops being an orphan.
UPDATE b2b.persons
SET has_known_account = NOT has_known_account
WHERE has_known_account <> bg_known_account(account_key);

UPDATE b2b.experience_events
SET has_known_person = true
WHERE NOT has_known_person AND bg_known_person(person_key);
