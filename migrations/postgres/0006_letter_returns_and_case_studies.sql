-- Why a letter was last sent back to its team; at most one correction per letter (two made at
-- once cannot both land); and each engagement's case-study sample list, whose pseudonymous
-- references a letter must never contain.
ALTER TABLE letters ADD COLUMN returned_reason TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX letters_one_correction ON letters (supersedes_id);

CREATE TABLE case_study_entries (
    id                    TEXT PRIMARY KEY,
    engagement_id         BIGINT NOT NULL REFERENCES engagements (id),
    reference             TEXT NOT NULL,
    age_band              TEXT NOT NULL DEFAULT '',
    primary_needs         TEXT NOT NULL DEFAULT '',
    support               TEXT NOT NULL DEFAULT '',
    school_phase          TEXT NOT NULL DEFAULT '',
    alternative_provision BOOLEAN NOT NULL DEFAULT FALSE,
    multi_agency          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TEXT NOT NULL,
    UNIQUE (engagement_id, reference)
);
