CREATE INDEX accounts_email_idx ON accounts (email);
CREATE INDEX CONCURRENTLY IF NOT EXISTS purchases_account_idx ON purchases (account_id);
DROP INDEX accounts_email_idx;
DROP INDEX CONCURRENTLY IF EXISTS purchases_account_idx;
REINDEX INDEX purchases_pkey;
REINDEX TABLE CONCURRENTLY purchases;
