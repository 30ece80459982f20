-- match_sector: an incident with sector combination mask hit a selected sector or a sector below one
-- (f.sector_mask already holds the roll-up; 0: any sector).
CREATE MACRO match_sector(f, mask) AS
    f['sector_mask'] = 0 OR mask & f['sector_mask'] <> 0
