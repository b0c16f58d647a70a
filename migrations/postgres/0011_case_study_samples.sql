-- Case-study samples (issue #14): one per engagement, supplied by the local area as a list of
-- pseudonymous entries (the existing case_study_entries rows), picked by the team, agreed by
-- both. The API names a sample by its engagement's public id and its own random public id.
-- version guards concurrent edits; list_version counts versions of the list itself, each
-- recorded with who changed it, when and why (a reason is required once the list is frozen).
CREATE TABLE case_study_samples (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id         TEXT NOT NULL UNIQUE,
    engagement_id     BIGINT NOT NULL UNIQUE REFERENCES engagements (id),
    version           BIGINT NOT NULL DEFAULT 1,
    list_version      BIGINT NOT NULL DEFAULT 1,
    -- The area's declared SEND population mix (JSON), or empty.
    population        TEXT NOT NULL DEFAULT '',
    area_agreed_by    BIGINT REFERENCES people (id),
    area_agreed_at    TEXT,
    team_agreed_by    BIGINT REFERENCES people (id),
    team_agreed_at    TEXT,
    -- Set when both sides have agreed; cleared by a change (which then needed a reason).
    frozen_at         TEXT,
    created_at        TEXT NOT NULL
);

CREATE TABLE case_study_list_versions (
    sample_id     BIGINT NOT NULL REFERENCES case_study_samples (id),
    list_version  BIGINT NOT NULL,
    entries       BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    changed_by    BIGINT NOT NULL REFERENCES people (id),
    changed_at    TEXT NOT NULL,
    PRIMARY KEY (sample_id, list_version)
);

-- Every pick, by hand or suggested (with the seed that reproduces it); the latest is current.
CREATE TABLE case_study_picks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sample_id     BIGINT NOT NULL REFERENCES case_study_samples (id),
    list_version  BIGINT NOT NULL,
    seed          TEXT NOT NULL DEFAULT '',
    picked        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    made_by       BIGINT NOT NULL REFERENCES people (id),
    made_at       TEXT NOT NULL
);
CREATE INDEX case_study_picks_by_sample ON case_study_picks (sample_id);

-- Entries taken off the list stay, marked removed, so the letter checks still know them.
ALTER TABLE case_study_entries ADD COLUMN removed_at TEXT;
ALTER TABLE case_study_entries ADD COLUMN picked BOOLEAN NOT NULL DEFAULT FALSE;
