-- country_group (see cg_month) for any filters (threatscape/plans.py): regrouped from incident_group, which answers
-- them.
CREATE MACRO cg_fine.country_group(f) AS TABLE
SELECT month, victim_country, sum(incidents) AS incidents
FROM incident_group(f)
GROUP BY month, victim_country
