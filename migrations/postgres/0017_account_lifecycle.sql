-- Account lifecycle (issue #12): a password reset by an administrator is temporary and must be
-- changed at the next sign-in; and the one-time links that create the first administrator of a
-- database that has none, known only by the SHA-256 of their token, each valid once and for an
-- hour.
ALTER TABLE people ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE setup_links (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
