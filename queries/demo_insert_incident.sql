-- demo_insert_incident: synthetic incidents from the registered table demo_gen (integer codes, in seq order).
-- A plain projection, no join or sort, so the rows are stored in the order they come: seq order.
INSERT INTO incident (incident_id, occurred_on, date_precision, actor_id, actor_as_reported, sector_mask,
    victim_country, campaign, title, summary, confidence, tlp, source, source_url, seq, actor_match)
SELECT
    'demo-' || lpad(seq::VARCHAR, $id_width, '0') AS id,
    $start::DATE + occurred::INTEGER,
    ['day', 'month', 'year'][precision_ix + 1],
    actor_id,
    $reported_names[reported_ix + 1] AS reported,
    sector_mask,
    $country_codes[country_ix + 1],
    CASE WHEN campaign_adjective >= 0
         THEN 'Operation ' || $adjectives[campaign_adjective + 1] || ' ' || $nouns[campaign_noun + 1]
              || CASE WHEN campaign_number > 1 THEN ' ' || campaign_number ELSE '' END END,
    '[DEMO] ' || $techniques[technique_ix + 1] || ' against ' || $sector_names[primary_sector + 1]
        || ' target in ' || $country_names[country_ix + 1],
    'Synthetic demo incident (Threatscape demo generator, seed ' || $seed || '). Not real threat intelligence.',
    confidence,
    $tlps[tlp_ix + 1],
    'Threatscape demo data',
    'https://demo.threatscape.invalid/incidents/' || id,
    seq,
    reported  -- every name the demo reports is one of the galaxy's
FROM demo_gen
