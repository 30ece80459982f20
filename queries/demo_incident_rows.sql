-- demo_incident_rows: synthetic incidents from the registered table demo_gen (integer codes, in seq order), as
-- the incident table's columns. A plain projection, no join or sort: demo.generate inserts the rows in the order
-- they come (seq order) through demo_insert_incident, and lake.write_demo writes them to a lake.
SELECT
    'demo-' || lpad(seq::VARCHAR, $id_width, '0') AS incident_id,
    $start::DATE + occurred::INTEGER AS occurred_on,
    ['day', 'month', 'year'][precision_ix + 1] AS date_precision,
    actor_id,
    $reported_names[reported_ix + 1] AS actor_as_reported,
    sector_mask,
    $country_codes[country_ix + 1] AS victim_country,
    CASE WHEN campaign_adjective >= 0
         THEN 'Operation ' || $adjectives[campaign_adjective + 1] || ' ' || $nouns[campaign_noun + 1]
              || CASE WHEN campaign_number > 1 THEN ' ' || campaign_number ELSE '' END END AS campaign,
    '[DEMO] ' || $techniques[technique_ix + 1] || ' against ' || $sector_names[primary_sector + 1]
        || ' target in ' || $country_names[country_ix + 1] AS title,
    'Synthetic demo incident (Threatscape demo generator, seed ' || $seed || '). Not real threat intelligence.'
        AS summary,
    confidence,
    $tlps[tlp_ix + 1] AS tlp,
    'Threatscape demo data' AS source,
    'https://demo.threatscape.invalid/incidents/' || incident_id AS source_url,
    seq,
    actor_as_reported AS actor_match,  -- every name the demo reports is one of the galaxy's
    NULL::VARCHAR AS sponsor_as_reported
FROM demo_gen
