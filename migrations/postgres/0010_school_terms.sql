-- England's school year has three terms: autumn (September to December), spring (January to
-- Easter) and summer (Easter to July). Until now the terms were stored as autumn, "winter"
-- (January to March) and "spring" (April to July): by meaning, "winter" is now spring and
-- "spring" is now summer.

ALTER TABLE visit_requests DROP CONSTRAINT visit_requests_term_check;
UPDATE visit_requests SET term =
    CASE term WHEN 'winter' THEN 'spring' WHEN 'spring' THEN 'summer' ELSE 'autumn' END;
ALTER TABLE visit_requests ADD CONSTRAINT visit_requests_term_check
    CHECK (term IN ('autumn', 'spring', 'summer'));

ALTER TABLE engagements DROP CONSTRAINT engagements_term_check;
UPDATE engagements SET term =
    CASE term WHEN 'winter' THEN 'spring' WHEN 'spring' THEN 'summer' ELSE 'autumn' END;
ALTER TABLE engagements ADD CONSTRAINT engagements_term_check
    CHECK (term IN ('autumn', 'spring', 'summer'));
