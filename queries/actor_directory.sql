-- actor_directory: every actor's id, canonical name and sponsor state ('unknown' when none is known), in id
-- order. The store reads it once when it opens the database and answers the actor and sponsor filters from it
-- (Store.actor_ids): which actor ids both filters allow.
SELECT actor_id, name, coalesce(sponsor_country, 'unknown') AS sponsor
FROM actor
ORDER BY actor_id
