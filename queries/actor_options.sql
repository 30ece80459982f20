-- actor_options: every actor with incidents, with its sponsor and incident_count (all time), most active first
-- ('Unattributed', actor 0, among them when some incidents name no actor); colour_rank fixes each actor's colour
-- across every chart, whatever the filters. Actors of the directory without incidents are not offered.
SELECT a.name AS actor, a.sponsor_country, s.incidents::BIGINT AS incident_count,
       row_number() OVER (ORDER BY s.incidents DESC, a.name) AS colour_rank
FROM actor AS a JOIN actor_summary AS s USING (actor_id)
ORDER BY colour_rank
