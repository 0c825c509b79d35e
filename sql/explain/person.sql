-- One person with its engagement, and the top raw score the person scores are scaled to.
SELECT
    persons.person_key,
    nullif(concat_ws(' ', persons.first_name, persons.last_name), '') AS person_name,
    persons.job_title,
    persons.account_key,
    accounts.account_name,
    persons.work_email,
    persons.is_deleted,
    engagement.raw_score,
    engagement.person_engagement_score,
    (SELECT max(raw_score) FROM marts.person_engagement) AS max_raw_score
FROM b2b.persons AS persons
LEFT JOIN b2b.accounts AS accounts USING (account_key)
LEFT JOIN marts.person_engagement AS engagement USING (person_key)
WHERE persons.person_key = $person_key
