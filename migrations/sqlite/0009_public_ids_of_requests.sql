-- Visit requests, consent documents and safeguarding concerns get a public id, as engagements
-- and letters did in 0008: 128 random bits (a UUIDv4, lowercase, hyphenated) that the API and
-- URLs carry instead of the integer key. Every existing row gets one here; the application
-- makes one for every new row.
-- SQLite cannot add a NOT NULL column without a default: a trigger refuses a row without one.

ALTER TABLE visit_requests ADD COLUMN public_id TEXT;
UPDATE visit_requests SET public_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)));
CREATE UNIQUE INDEX visit_requests_by_public_id ON visit_requests (public_id);
CREATE TRIGGER visit_requests_public_id_required BEFORE INSERT ON visit_requests WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'visit_requests.public_id is required');
END;

ALTER TABLE consent_documents ADD COLUMN public_id TEXT;
UPDATE consent_documents SET public_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)));
CREATE UNIQUE INDEX consent_documents_by_public_id ON consent_documents (public_id);
CREATE TRIGGER consent_documents_public_id_required BEFORE INSERT ON consent_documents WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'consent_documents.public_id is required');
END;

ALTER TABLE safeguarding_concerns ADD COLUMN public_id TEXT;
UPDATE safeguarding_concerns SET public_id =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
    || '-' || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)));
CREATE UNIQUE INDEX safeguarding_concerns_by_public_id ON safeguarding_concerns (public_id);
CREATE TRIGGER safeguarding_concerns_public_id_required BEFORE INSERT ON safeguarding_concerns WHEN NEW.public_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'safeguarding_concerns.public_id is required');
END;
