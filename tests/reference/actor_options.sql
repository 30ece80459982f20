-- actor_options: every actor with its sponsor and incident_count (all time), most active first;
-- colour_rank fixes each actor's colour across every chart, whatever the filters.
SELECT a.name AS actor, a.sponsor_country, count(i.incident_id)::BIGINT AS incident_count,
       row_number() OVER (ORDER BY count(i.incident_id) DESC, a.name) AS colour_rank
FROM actor AS a LEFT JOIN incident AS i USING (actor_id)
GROUP BY a.name, a.sponsor_country
ORDER BY colour_rank
