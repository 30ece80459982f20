-- date_bounds: the first and last occurred_on in the database (the widest date range a user can pick).
SELECT min(first_seen) AS first_day, max(last_seen) AS last_day FROM actor_summary
