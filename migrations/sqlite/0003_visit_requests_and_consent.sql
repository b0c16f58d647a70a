-- Confidential interim-visit requests and written consent. visit_requests holds each
-- request's current state (with a version for optimistic concurrency); request_events is the
-- append-only history; consents and consent_documents are written once and never changed.
CREATE TABLE visit_requests (
    id                   INTEGER PRIMARY KEY,
    local_area_code      TEXT NOT NULL REFERENCES local_areas (ons_code),
    region_code          TEXT NOT NULL REFERENCES regions (code),
    term                 TEXT NOT NULL CHECK (term IN ('autumn', 'winter', 'spring')),
    academic_year        INTEGER NOT NULL,
    window_first         DATE NOT NULL,
    window_last          DATE NOT NULL,
    reply_by             DATE NOT NULL,
    note                 TEXT NOT NULL,
    state                TEXT NOT NULL
        CHECK (state IN ('requested', 'consented', 'declined', 'withdrawn', 'cancelled')),
    version              INTEGER NOT NULL DEFAULT 1,
    safeguarding_concern BOOLEAN NOT NULL DEFAULT FALSE,
    created_by           INTEGER NOT NULL REFERENCES people (id),
    created_at           TEXT NOT NULL
);
CREATE INDEX visit_requests_by_area ON visit_requests (local_area_code, id);
CREATE INDEX visit_requests_by_region ON visit_requests (region_code, id);

CREATE TABLE request_events (
    request_id  INTEGER NOT NULL REFERENCES visit_requests (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    state_after TEXT NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES people (id),
    occurred_at TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE consent_documents (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES visit_requests (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES people (id),
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX consent_documents_by_request ON consent_documents (request_id);

CREATE TABLE consents (
    request_id     INTEGER PRIMARY KEY REFERENCES visit_requests (id),
    signatory_name TEXT NOT NULL,
    signatory_role TEXT NOT NULL,
    organisation   TEXT NOT NULL,
    date_signed    DATE NOT NULL,
    document_id    INTEGER NOT NULL REFERENCES consent_documents (id),
    -- JSON array of [first_day, last_day] pairs the area cannot host a visit
    unavailable    TEXT NOT NULL,
    recorded_by    INTEGER NOT NULL REFERENCES people (id),
    recorded_at    TEXT NOT NULL
);

CREATE TABLE safeguarding_concerns (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES visit_requests (id),
    raised_by  INTEGER NOT NULL REFERENCES people (id),
    note       TEXT NOT NULL,
    raised_at  TEXT NOT NULL
);
