BEGIN;
CREATE INDEX CONCURRENTLY accounts_country_idx ON accounts (country);
BEGIN;
ALTER TABLE accounts ADD COLUMN region text;
COMMIT;
BEGIN;
ALTER TABLE accounts ADD COLUMN city text;
