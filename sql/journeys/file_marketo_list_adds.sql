-- marketo_list_adds.csv of one day: one row per (list, person) added by a journey.
SELECT DISTINCT target AS list, payload ->> 'lead_id' AS lead_id, person_key, payload ->> 'email' AS email
FROM marts.journey_actions
WHERE as_of = CAST($as_of AS DATE) AND action_type = 'marketo_list'
ORDER BY list, person_key;
