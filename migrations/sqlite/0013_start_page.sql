-- A national planner acknowledges an escalated safeguarding concern: who and when, written once.
-- Until one does, every planner's start page carries a banner for it.
ALTER TABLE safeguarding_concerns ADD COLUMN acknowledged_by INTEGER REFERENCES people (id);
ALTER TABLE safeguarding_concerns ADD COLUMN acknowledged_at TEXT;
