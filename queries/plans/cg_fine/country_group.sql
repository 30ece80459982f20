-- country_group (see cg_month) when an actor, sponsor, confidence, TLP or text filter, or a filter on several
-- sectors, is in use: regrouped from incident_group, which answers them.
CREATE MACRO cg_fine.country_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask,
                                   f_countries, f_min_confidence, f_tlps, f_text) AS TABLE
SELECT month, victim_country, sum(incidents) AS incidents
FROM incident_group(f_since, f_until, f_month_from, f_month_to, f_actor_ids, f_sector_mask, f_countries,
                    f_min_confidence, f_tlps, f_text)
GROUP BY month, victim_country
