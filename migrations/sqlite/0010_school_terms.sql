-- England's school year has three terms: autumn (September to December), spring (January to
-- Easter) and summer (Easter to July). Until now the terms were stored as autumn, "winter"
-- (January to March) and "spring" (April to July): by meaning, "winter" is now spring and
-- "spring" is now summer.
-- SQLite cannot change a CHECK constraint in place: each table gets a new column with the new
-- constraint, filled from the old one, which is then dropped (its own CHECK goes with it) and the
-- new column takes its name. The default only satisfies ADD COLUMN's NOT NULL; every insert names
-- the term.

ALTER TABLE visit_requests ADD COLUMN school_term TEXT NOT NULL DEFAULT 'autumn'
    CHECK (school_term IN ('autumn', 'spring', 'summer'));
UPDATE visit_requests SET school_term =
    CASE term WHEN 'winter' THEN 'spring' WHEN 'spring' THEN 'summer' ELSE 'autumn' END;
ALTER TABLE visit_requests DROP COLUMN term;
ALTER TABLE visit_requests RENAME COLUMN school_term TO term;

ALTER TABLE engagements ADD COLUMN school_term TEXT NOT NULL DEFAULT 'autumn'
    CHECK (school_term IN ('autumn', 'spring', 'summer'));
UPDATE engagements SET school_term =
    CASE term WHEN 'winter' THEN 'spring' WHEN 'spring' THEN 'summer' ELSE 'autumn' END;
ALTER TABLE engagements DROP COLUMN term;
ALTER TABLE engagements RENAME COLUMN school_term TO term;
