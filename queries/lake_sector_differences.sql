-- lake_sector_differences: the sectors ($path: a lake's sector.parquet) that differ from this build's taxonomy
-- (the sector table): a lake's sector masks mean what its own taxonomy says, so the two must be the same.
(SELECT sector_id, name, parent FROM read_parquet($path) EXCEPT SELECT sector_id, name, parent FROM sector)
UNION ALL
(SELECT sector_id, name, parent FROM sector EXCEPT SELECT sector_id, name, parent FROM read_parquet($path))
