-- decision_history: every decision of the team's about a name, in force or undone, newest first.
SELECT decision_id, name, decision, actor, reason, decided_by, decided_at::VARCHAR AS decided_at,
       undone_by, undone_at::VARCHAR AS undone_at
FROM alias_decision
ORDER BY decision_id DESC
