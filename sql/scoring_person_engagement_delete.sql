-- person_engagement is a snapshot for one as_of: clear it before the insert (same transaction).
DELETE FROM marts.person_engagement
