-- Engagements and letters get a public id: 128 random bits (a UUIDv4, lowercase, hyphenated)
-- that the API and URLs carry instead of the integer key, so ids reveal neither how many exist
-- nor in which order they were made. The integer keys stay for joins and foreign keys. Every
-- existing row gets one here; the application makes one for every new row.
-- SQLite cannot add a NOT NULL column without a default: a trigger refuses a row without one.

ALTER TABLE engagements ADD COLUMN public_id TEXT;
UPDATE engagements SET public_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)));
CREATE UNIQUE INDEX engagements_by_public_id ON engagements (public_id);
CREATE TRIGGER engagements_public_id_required BEFORE INSERT ON engagements WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'engagements.public_id is required');
END;

ALTER TABLE letters ADD COLUMN public_id TEXT;
UPDATE letters SET public_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)));
CREATE UNIQUE INDEX letters_by_public_id ON letters (public_id);
CREATE TRIGGER letters_public_id_required BEFORE INSERT ON letters WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'letters.public_id is required');
END;
