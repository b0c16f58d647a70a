-- The team's request to the local area for more children on a case-study list that cannot give
-- a valid pick (issue #14): who asked, when, and what the list lacked then (the rules' own
-- sentences, one per line; never free text). Cleared when the area supplies a new list; the
-- audit trail keeps every request.
ALTER TABLE case_study_samples ADD COLUMN more_asked_by INTEGER REFERENCES people (id);
ALTER TABLE case_study_samples ADD COLUMN more_asked_at TEXT;
ALTER TABLE case_study_samples ADD COLUMN more_asked_for TEXT NOT NULL DEFAULT '';
