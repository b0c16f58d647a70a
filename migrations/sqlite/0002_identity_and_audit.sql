-- People, their role and scope, sessions, sign-in throttling and the audit trail.
-- Times are canonical RFC 3339 UTC text of fixed width (2026-11-22T09:30:00.000000Z) on both
-- databases: they sort and compare as text, and hash identically in the audit chain.
CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,      -- lower-case
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,             -- argon2id PHC string
    role            TEXT NOT NULL CHECK (role IN ('national_planner', 'regional_lead',
                        'local_area_user', 'inspector', 'recipient_body', 'administrator')),
    region_code     TEXT REFERENCES regions (code),
    local_area_code TEXT REFERENCES local_areas (ons_code),
    inspectorate    TEXT CHECK (inspectorate IN ('ofsted', 'cqc')),
    social_care     BOOLEAN NOT NULL DEFAULT FALSE,
    recipient_body  TEXT CHECK (recipient_body IN ('dfe', 'nhs_england')),
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);

-- A session is known only by the SHA-256 of its token.
CREATE TABLE sessions (
    token_hash          TEXT PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES people (id),
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    idle_expires_at     TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    revoked_at          TEXT
);
CREATE INDEX sessions_by_person ON sessions (person_id);

-- Failed sign-ins per username and per source address, whether or not the username exists.
CREATE TABLE sign_in_throttle (
    throttle_key      TEXT PRIMARY KEY,
    failures          INTEGER NOT NULL,
    window_started_at TEXT NOT NULL,
    locked_until      TEXT
);

-- Append-only, hash-chained. occurred_at is the canonical RFC 3339 text that is hashed.
CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY,
    occurred_at    TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_events_by_object ON audit_events (object_type, object_id, seq);

-- The chain's head: appenders lock this row, so events get consecutive numbers.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
