-- campaign_window: the first and last day of any campaign whose whole span overlaps since..until (NULL: unbounded)
-- (NULL when none does): every incident of a campaign that can be active in since..until lies in it.
SELECT min(first_seen) AS window_since, max(last_seen) AS window_until
FROM campaign
WHERE tlp_max = (SELECT tlp_max FROM reader_level)  -- every incident the reader may see: filtered spans lie within
  AND first_seen <= coalesce($until::DATE, DATE '9999-12-31') AND last_seen >= coalesce($since::DATE, DATE '0001-01-01')
