-- content_version: a digest of every incident, actor, alias, sector and decision about names (in force or
-- undone); equal content gives an equal version. Incidents use DuckDB's hash() of the columns (md5 of each row
-- took most of a 10M-row build); the digest is computed once, at build time, and stored in
-- dataset.content_version. Decisions count: undoing one can restore earlier incidents, not the earlier history.
SELECT printf('%016x%016x', i.h, xor(xor(a.h, s.h), d.h))
FROM
    (SELECT coalesce(bit_xor(hash(incident_id, occurred_on, date_precision, actor_id, actor_as_reported,
         sector_mask, victim_country, campaign, title, summary, confidence, tlp, source, source_url,
         actor_match, sponsor_as_reported)), 0) AS h FROM incident) AS i,
    (SELECT coalesce(bit_xor(md5_number_lower(concat_ws('|', x.actor_id, name, sponsor_country, motivation,
         resolved, alias, alias_key, y.source))), 0) AS h
     FROM actor AS x LEFT JOIN actor_alias AS y USING (actor_id)) AS a,
    (SELECT coalesce(bit_xor(md5_number_lower(concat_ws('|', sector_id, name, parent))), 0) AS h FROM sector) AS s,
    (SELECT coalesce(bit_xor(md5_number_lower(concat_ws('|', decision_id, name, decision, actor, reason, decided_by,
         decided_at, undone_by, undone_at))), 0) AS h FROM alias_decision) AS d
