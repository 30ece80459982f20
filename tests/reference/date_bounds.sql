-- date_bounds: the first and last occurred_on in the database (the widest date range a user can pick).
SELECT min(occurred_on) AS first_day, max(occurred_on) AS last_day FROM incident
