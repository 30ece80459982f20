-- match_actor: the actor and sponsor filters allow actor a_id. f.actor_ids holds the actors both allow
-- (Store.actor_ids, from the actor directory read at open; NULL: any actor, an empty list: none), so no join is
-- needed and the planner keeps block skipping and top-N pruning.
CREATE MACRO match_actor(f, a_id) AS
    f['actor_ids'] IS NULL OR list_contains(f['actor_ids'], a_id)
