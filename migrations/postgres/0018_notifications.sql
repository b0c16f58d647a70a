-- Email notifications through GOV.UK Notify (issue #12, items 4 and 5).
-- A person's email address: without one nothing is emailed to them (the start page still shows
-- everything).
ALTER TABLE people ADD COLUMN email TEXT;

-- The transactional outbox: a row per email, written in the same transaction as the event it
-- tells of, sent by the worker. It holds no confidential content: the email says that
-- something waits in SEND Planner, with a link (link_path, under the service's public URL).
CREATE TABLE notification_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,      -- random; Notify's reference, to find a send again
    kind            TEXT NOT NULL,             -- the event kind (domain/notifications.rs)
    person_id       BIGINT NOT NULL REFERENCES people (id),
    email_address   TEXT NOT NULL,
    link_path       TEXT NOT NULL,
    subject_id      TEXT NOT NULL DEFAULT '',  -- the request's id, so an answer cancels its reminders
    created_at      TEXT NOT NULL,
    due_at          TEXT NOT NULL,             -- reminders wait until their day
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,                      -- while 'sending': the worker's claim ends then
    notify_id       TEXT,
    delivery_status TEXT NOT NULL DEFAULT '',  -- as Notify last reported it
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
CREATE INDEX notification_outbox_by_subject ON notification_outbox (subject_id);

-- Every delivery attempt and what came of it.
CREATE TABLE notification_attempts (
    outbox_id   BIGINT NOT NULL REFERENCES notification_outbox (id),
    attempt     BIGINT NOT NULL,
    at          TEXT NOT NULL,
    outcome     TEXT NOT NULL,                 -- sent, found, retry, failed
    http_status INTEGER,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (outbox_id, attempt)
);

-- A person's choice, per event kind, of whether to get an email (no row: yes).
CREATE TABLE notification_preferences (
    person_id BIGINT NOT NULL REFERENCES people (id),
    kind      TEXT NOT NULL,
    email     BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, kind)
);
