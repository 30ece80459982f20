-- sector_options: the sector taxonomy, each sector with its parent, in taxonomy order.
SELECT sector_id, name AS sector, parent, top FROM sector ORDER BY sector_id
