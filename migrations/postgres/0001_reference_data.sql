-- England's regions and local areas. Rows are loaded from migrations/data/*.csv on start
-- (see backend/src/store/reference.rs); this migration only shapes the tables.
CREATE TABLE regions (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order BIGINT NOT NULL
);

CREATE TABLE local_areas (
    ons_code         TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    -- lower-cased name: the sort and paging key, compared bytewise on both databases
    name_key         TEXT COLLATE "C" NOT NULL,
    dfe_code         TEXT,
    kind             TEXT NOT NULL
        CHECK (kind IN ('london_borough', 'metropolitan_district', 'unitary_authority', 'county')),
    region_code      TEXT NOT NULL REFERENCES regions (code),
    operational_from DATE,
    retired_on       DATE
);

CREATE INDEX local_areas_by_name ON local_areas (name_key, ons_code);
CREATE INDEX local_areas_by_region ON local_areas (region_code, name_key, ons_code);
CREATE UNIQUE INDEX local_areas_current_dfe_code ON local_areas (dfe_code) WHERE retired_on IS NULL;

-- One row per version of the reference files loaded, keyed by their SHA-256.
CREATE TABLE reference_data_loads (
    sha256      TEXT PRIMARY KEY,
    loaded_at   TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    regions     BIGINT NOT NULL,
    local_areas BIGINT NOT NULL
);
