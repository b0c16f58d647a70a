-- Attempts to reach records the caller may not see (answered exactly as missing ones), counted
-- per caller, minute and kind of record, so repeated probing shows and cannot flood the table.
CREATE TABLE security_events (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    minute      TEXT NOT NULL,   -- UTC, 'YYYY-MM-DDTHH:MMZ'
    target      TEXT NOT NULL,   -- the kind of record asked for, e.g. 'visit_request'
    misses      INTEGER NOT NULL,
    PRIMARY KEY (person_id, minute, target)
);
CREATE INDEX security_events_by_minute ON security_events (minute);
