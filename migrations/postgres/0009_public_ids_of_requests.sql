-- Visit requests, consent documents and safeguarding concerns get a public id, as engagements
-- and letters did in 0008: 128 random bits (a UUIDv4, lowercase, hyphenated) that the API and
-- URLs carry instead of the integer key. Every existing row gets one here; the application
-- makes one for every new row.

ALTER TABLE visit_requests ADD COLUMN public_id TEXT;
UPDATE visit_requests SET public_id = gen_random_uuid()::text;
ALTER TABLE visit_requests ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX visit_requests_by_public_id ON visit_requests (public_id);

ALTER TABLE consent_documents ADD COLUMN public_id TEXT;
UPDATE consent_documents SET public_id = gen_random_uuid()::text;
ALTER TABLE consent_documents ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX consent_documents_by_public_id ON consent_documents (public_id);

ALTER TABLE safeguarding_concerns ADD COLUMN public_id TEXT;
UPDATE safeguarding_concerns SET public_id = gen_random_uuid()::text;
ALTER TABLE safeguarding_concerns ALTER COLUMN public_id SET NOT NULL;
CREATE UNIQUE INDEX safeguarding_concerns_by_public_id ON safeguarding_concerns (public_id);
