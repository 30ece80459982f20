-- incident_id_hashes: a 64-bit hash of every incident id; build.finish counts copies only when two hashes are equal.
SELECT hash(incident_id) AS h FROM incident
