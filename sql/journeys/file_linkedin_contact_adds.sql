-- linkedin_contact_adds.csv of one day: LinkedIn's contact template plus the audience,
-- one row per (audience, email).
SELECT email, firstname, lastname, jobtitle, employeecompany, country, googleaid, audience
FROM (
    SELECT payload ->> 'email' AS email, payload ->> 'firstname' AS firstname, payload ->> 'lastname' AS lastname,
           payload ->> 'jobtitle' AS jobtitle, payload ->> 'employeecompany' AS employeecompany,
           payload ->> 'country' AS country, NULL AS googleaid, target AS audience, person_key
    FROM marts.journey_actions
    WHERE as_of = CAST($as_of AS DATE) AND action_type = 'linkedin_contacts'
    QUALIFY row_number() OVER (PARTITION BY target, payload ->> 'email' ORDER BY person_key) = 1
)
ORDER BY audience, email, person_key;
