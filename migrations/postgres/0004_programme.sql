-- The inspection programme: inspectors, engagements and their teams, inspection history and
-- due-date overrides.
CREATE TABLE inspectors (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                     TEXT NOT NULL,
    inspectorate             TEXT NOT NULL CHECK (inspectorate IN ('ofsted', 'cqc')),
    social_care              BOOLEAN NOT NULL DEFAULT FALSE,
    home_region_code         TEXT NOT NULL REFERENCES regions (code),
    -- the inspector's own account, if they have one (to declare their conflicts)
    person_id                BIGINT UNIQUE REFERENCES people (id),
    max_engagements_per_term BIGINT NOT NULL,
    created_at               TEXT NOT NULL
);

CREATE TABLE inspector_unavailability (
    inspector_id BIGINT NOT NULL REFERENCES inspectors (id),
    first_day    DATE NOT NULL,
    last_day     DATE NOT NULL
);
CREATE INDEX inspector_unavailability_by_inspector ON inspector_unavailability (inspector_id);

CREATE TABLE inspector_conflicts (
    inspector_id    BIGINT NOT NULL REFERENCES inspectors (id),
    local_area_code TEXT NOT NULL REFERENCES local_areas (ons_code),
    reason          TEXT NOT NULL,
    declared_by     BIGINT NOT NULL REFERENCES people (id),
    declared_at     TEXT NOT NULL,
    PRIMARY KEY (inspector_id, local_area_code)
);

CREATE TABLE engagements (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local_area_code   TEXT NOT NULL REFERENCES local_areas (ons_code),
    region_code       TEXT NOT NULL REFERENCES regions (code),
    kind              TEXT NOT NULL CHECK (kind IN ('full_inspection', 'legacy_inspection',
                          'monitoring_inspection', 'interim_visit', 'engagement_meeting', 'thematic_visit')),
    state             TEXT NOT NULL CHECK (state IN ('proposed', 'notified', 'done', 'postponed')),
    onsite_first      DATE NOT NULL,
    onsite_last       DATE NOT NULL,
    -- the first day the team is committed: the notification day for inspections, else onsite_first
    busy_first        DATE NOT NULL,
    notification_date DATE,
    academic_year     BIGINT NOT NULL,
    term              TEXT NOT NULL CHECK (term IN ('autumn', 'winter', 'spring')),
    note              TEXT NOT NULL,
    postponed_reason  TEXT NOT NULL DEFAULT '',
    outcome           TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_by        BIGINT NOT NULL REFERENCES people (id),
    created_at        TEXT NOT NULL
);
CREATE INDEX engagements_by_region ON engagements (region_code, onsite_first);
CREATE INDEX engagements_by_area ON engagements (local_area_code, onsite_first);

CREATE TABLE engagement_team (
    engagement_id BIGINT NOT NULL REFERENCES engagements (id),
    inspector_id  BIGINT NOT NULL REFERENCES inspectors (id),
    team_role     TEXT NOT NULL CHECK (team_role IN ('lead_hmi', 'ofsted_inspector', 'cqc_inspector',
                      'social_care_inspector')),
    PRIMARY KEY (engagement_id, inspector_id)
);
CREATE INDEX engagement_team_by_inspector ON engagement_team (inspector_id);

-- Append-only: every change to an engagement, with its reason.
CREATE TABLE engagement_events (
    engagement_id BIGINT NOT NULL REFERENCES engagements (id),
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    actor_id      BIGINT NOT NULL REFERENCES people (id),
    occurred_at   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (engagement_id, seq)
);

-- Completed inspections: recorded outcomes and imported history.
CREATE TABLE inspection_history (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local_area_code TEXT NOT NULL REFERENCES local_areas (ons_code),
    kind            TEXT NOT NULL,
    completed_on    DATE NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('positive', 'inconsistent', 'systemic_failings',
                        'legacy_letter', 'written_statement_of_action'))
);
CREATE INDEX inspection_history_by_area ON inspection_history (local_area_code, completed_on);

CREATE TABLE due_date_overrides (
    local_area_code TEXT PRIMARY KEY REFERENCES local_areas (ons_code),
    due_by          DATE NOT NULL,
    reason          TEXT NOT NULL,
    set_by          BIGINT NOT NULL REFERENCES people (id),
    set_at          TEXT NOT NULL
);
