-- The normalised emails (activation/macros.sql) of a group's active members, or of one person.
SELECT list(DISTINCT activation_normalised_email(persons.work_email))
FROM b2b.persons AS persons
WHERE persons.person_key = $person_key
   OR persons.person_key IN (
       SELECT person_key FROM marts.buying_group_members
       WHERE buying_group_id = $buying_group_id AND NOT is_removed)
