-- demo_insert_incident: synthetic incidents from the registered frame demo_gen, in date order.
INSERT INTO incident
SELECT * EXCLUDE (n, actor_match), row_number() OVER (ORDER BY occurred_on, n) AS seq, actor_match
FROM (
WITH named_campaign AS (
    SELECT campaign,
           'Operation ' || $adjectives[adjective + 1] || ' ' || $nouns[noun + 1]
           || CASE WHEN k > 1 THEN ' ' || k ELSE '' END AS name
    FROM (SELECT *, row_number() OVER (PARTITION BY adjective, noun ORDER BY campaign) AS k FROM demo_campaign)
),
alias_list AS (
    SELECT actor_id, list(alias ORDER BY alias_key) AS aliases, first(name) AS name
    FROM demo_alias JOIN demo_actor USING (actor_id)
    GROUP BY actor_id
),
dated AS (
    SELECT g.*, ($start::DATE + g.day::INTEGER) AS day_date,
           ['day', 'month', 'year'][g.precision + 1] AS date_precision
    FROM demo_gen AS g
)
SELECT
    'demo-' || lpad(d.n::VARCHAR, 8, '0') AS incident_id,
    date_trunc(d.date_precision, d.day_date)::DATE AS occurred_on,
    d.date_precision,
    d.actor_id,
    -- seven in ten reports use the canonical name, the rest one of its aliases
    CASE WHEN d.alias_u < 0.7 OR len(al.aliases) = 0 THEN al.name
         ELSE al.aliases[1 + floor((d.alias_u - 0.7) / 0.3 * len(al.aliases))::INTEGER] END AS actor_as_reported,
    d.sector_mask,
    c.code AS victim_country,
    nc.name AS campaign,
    '[DEMO] ' || $techniques[d.technique + 1] || ' against ' || s.name || ' target in ' || c.name AS title,
    'Synthetic demo incident (Threatscape demo generator, seed ' || $seed
        || '). Not real threat intelligence.' AS summary,
    d.confidence,
    $tlps[d.tlp + 1] AS tlp,
    'Threatscape demo data' AS source,
    'https://demo.threatscape.invalid/incidents/demo-' || lpad(d.n::VARCHAR, 8, '0') AS source_url,
    d.n,
    actor_as_reported AS actor_match  -- every name the demo reports is one of the galaxy's
FROM dated AS d
JOIN alias_list AS al USING (actor_id)
JOIN demo_country AS c USING (country)
JOIN sector AS s ON s.sector_id = d.primary_sector
LEFT JOIN named_campaign AS nc ON nc.campaign = d.campaign
)
ORDER BY seq
