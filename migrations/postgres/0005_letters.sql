-- Letters and reports. A letter's row changes only while it is a draft (and when its state
-- moves on); an issued letter's text is never edited: a correction is a new row that supersedes
-- it. The distribution list is the access grant; read receipts record first opening.
CREATE TABLE letters (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id             BIGINT NOT NULL REFERENCES engagements (id),
    title                     TEXT NOT NULL,
    body                      TEXT NOT NULL,
    state                     TEXT NOT NULL
        CHECK (state IN ('draft', 'submitted', 'approved', 'issued', 'superseded')),
    version                   BIGINT NOT NULL DEFAULT 1,
    supersedes_id             BIGINT REFERENCES letters (id),
    publish_at                TEXT,
    published                 BOOLEAN NOT NULL DEFAULT FALSE,
    named_in_national_reports BOOLEAN NOT NULL DEFAULT FALSE,
    issued_at                 TEXT,
    created_by                BIGINT NOT NULL REFERENCES people (id),
    created_at                TEXT NOT NULL
);
CREATE INDEX letters_by_engagement ON letters (engagement_id);

CREATE TABLE letter_recipients (
    letter_id  BIGINT NOT NULL REFERENCES letters (id),
    recipient  TEXT NOT NULL CHECK (recipient IN ('local_area', 'dfe', 'nhs_england', 'public')),
    revoked_at TEXT,
    PRIMARY KEY (letter_id, recipient)
);

CREATE TABLE letter_overrides (
    letter_id   BIGINT NOT NULL REFERENCES letters (id),
    rule        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    approved_by BIGINT NOT NULL REFERENCES people (id),
    approved_at TEXT NOT NULL
);

CREATE TABLE letter_reads (
    letter_id       BIGINT NOT NULL REFERENCES letters (id),
    person_id       BIGINT NOT NULL REFERENCES people (id),
    first_opened_at TEXT NOT NULL,
    PRIMARY KEY (letter_id, person_id)
);
