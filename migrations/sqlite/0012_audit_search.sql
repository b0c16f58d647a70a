-- Searching the audit trail by who acted (most recent first), and linking an inspector's entry
-- to their own account with a version check (optimistic concurrency, like engagements).
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, seq);
ALTER TABLE inspectors ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
