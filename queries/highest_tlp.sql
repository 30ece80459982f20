-- highest_tlp: the rank (0 CLEAR .. 4 RED) of the highest TLP marking among the incidents the filters match (NULL:
-- none); what a chart's data download records as the highest TLP inside.
SELECT max(list_position(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'], i.tlp)) - 1 AS tlp_rank
FROM filtered_incident(getvariable('filters')) AS i
