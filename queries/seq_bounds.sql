-- seq_bounds: the highest date-order rank (seq) in the store; ranks run from 1 to it.
SELECT max(seq) AS max_seq FROM incident
