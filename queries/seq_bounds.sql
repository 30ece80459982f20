-- seq_bounds: the lowest and highest date-order rank (seq) of the incidents from since to until (NULL:
-- unbounded); exports walk only this range of the store. Ranks follow occurred_on, so this is a date lookup.
SELECT min(seq) AS min_seq, max(seq) AS max_seq
FROM incident
WHERE occurred_on >= coalesce($since::DATE, DATE '0001-01-01') AND occurred_on <= coalesce($until::DATE, DATE '9999-12-31')
