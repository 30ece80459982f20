-- match_date: day d lies in the filters' date range, since..until (NULL: open at that end).
CREATE MACRO match_date(f, d) AS
    (f['since'] IS NULL OR d >= f['since']) AND (f['until'] IS NULL OR d <= f['until'])
