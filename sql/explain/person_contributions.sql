-- What makes up one person's raw engagement, largest first.
SELECT activity_type_id, days_active, capped_count, points
FROM marts.person_engagement_contributions
WHERE person_key = $person_key
ORDER BY points DESC, activity_type_id
