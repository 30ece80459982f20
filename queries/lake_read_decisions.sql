-- lake_read_decisions: a lake's decisions about names ($path: alias_decision.parquet) into alias_decision.
INSERT INTO alias_decision
SELECT decision_id, name, decision, actor, reason, decided_by, decided_at, undone_by, undone_at
FROM read_parquet($path)
ORDER BY decision_id
