-- Proposed programmes (issue 13, item 3). A proposal is worked out by the scheduler for one
-- scope ('england', or a region's code) and kept here so that any replica can show it and
-- accept it. Its id in the API is the random public_id (proposals tell of confidential visits).
CREATE TABLE programme_proposals (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id         TEXT NOT NULL UNIQUE,
    scope             TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('running', 'ready', 'cancelled', 'accepted')),
    -- the programme version (store/proposals.rs) the proposal began from
    programme_version BIGINT NOT NULL,
    started_by        BIGINT NOT NULL REFERENCES people (id),
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    score             BIGINT NOT NULL DEFAULT 0,
    -- the proposal as JSON: every engagement's current and proposed dates and team
    plan              TEXT NOT NULL DEFAULT ''
);
CREATE INDEX programme_proposals_by_scope ON programme_proposals (scope, started_at);

-- One proposal per scope at a time, across replicas: a row per running proposal's scope,
-- taken in a transaction, released when it ends, and taken over once it expires (a replica
-- that stopped mid-proposal).
CREATE TABLE programme_proposal_leases (
    scope       TEXT PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES programme_proposals (id),
    expires_at  TEXT NOT NULL
);
