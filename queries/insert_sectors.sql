-- insert_sectors: the sector taxonomy (threatscape/taxonomy.py) into a new database, one list per column (one
-- statement: a row at a time took 50 ms of every write).
INSERT INTO sector
SELECT unnest($sector_ids::UTINYINT[]), unnest($names::VARCHAR[]), unnest($parents::VARCHAR[]),
       unnest($tops::VARCHAR[]), unnest($rollup_masks::UBIGINT[])
