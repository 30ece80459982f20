-- ingest_add_decision: one decision of the team's about a name, numbered after the last.
INSERT INTO alias_decision
SELECT (SELECT coalesce(max(decision_id), 0) + 1 FROM alias_decision), $name, $decision, $actor, $reason,
       $decided_by, $decided_at::TIMESTAMPTZ, NULL, NULL
