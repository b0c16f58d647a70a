-- Engagements and letters get a public id: 128 random bits (a UUIDv4, lowercase, hyphenated)
-- that the API and URLs carry instead of the integer key, so ids reveal neither how many exist
-- nor in which order they were made. The integer keys stay for joins and foreign keys. Every
-- existing row gets one here; the application makes one for every new row.

ALTER TABLE engagements ADD COLUMN public_id TEXT;
UPDATE engagements SET public_id = gen_random_uuid()::text;
ALTER TABLE engagements ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX engagements_by_public_id ON engagements (public_id);

ALTER TABLE letters ADD COLUMN public_id TEXT;
UPDATE letters SET public_id = gen_random_uuid()::text;
ALTER TABLE letters ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX letters_by_public_id ON letters (public_id);
