-- ingest_undo_decision: mark a decision undone (it stays in the history).
UPDATE alias_decision SET undone_by = $undone_by, undone_at = $undone_at::TIMESTAMPTZ
WHERE decision_id = $decision_id AND undone_at IS NULL
