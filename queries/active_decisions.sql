-- active_decisions: the team's decisions about names that are in force (not undone), oldest first.
SELECT decision_id, name, decision, actor, reason, decided_by, decided_at::VARCHAR AS decided_at
FROM alias_decision
WHERE undone_at IS NULL
ORDER BY decision_id
