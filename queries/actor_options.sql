-- actor_options: every actor with its sponsor and incident_count (all time), most active first;
-- colour_rank fixes each actor's colour across every chart, whatever the filters.
SELECT a.name AS actor, a.sponsor_country, coalesce(s.incidents, 0)::BIGINT AS incident_count,
       row_number() OVER (ORDER BY coalesce(s.incidents, 0) DESC, a.name) AS colour_rank
FROM actor AS a LEFT JOIN actor_summary AS s USING (actor_id)
ORDER BY colour_rank
