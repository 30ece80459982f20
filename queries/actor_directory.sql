-- actor_directory: every actor's id, canonical name and sponsor state ('unknown' when none is known; '' for actor
-- 0, Unattributed, which no sponsor filter selects: an incident that names no actor has no sponsor to know), in
-- id order. The store reads it once when it opens the database and answers the actor and sponsor filters from it
-- (Store.actor_ids): which actor ids both filters allow.
SELECT actor_id, name, CASE WHEN actor_id = 0 THEN '' ELSE coalesce(sponsor_country, 'unknown') END AS sponsor
FROM actor
ORDER BY actor_id
