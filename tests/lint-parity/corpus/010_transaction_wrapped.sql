BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';
ALTER TABLE accounts ADD COLUMN archived_at timestamp;
ALTER TABLE accounts ALTER COLUMN archived_at SET NOT NULL;
CREATE INDEX accounts_archived_idx ON accounts (archived_at);
ALTER TABLE accounts ADD CONSTRAINT accounts_region_fk FOREIGN KEY (region_id) REFERENCES regions (id) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_region_fk;
COMMIT;
