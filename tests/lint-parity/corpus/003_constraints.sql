ALTER TABLE purchases ADD CONSTRAINT purchases_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
ALTER TABLE purchases ADD CONSTRAINT purchases_amount_check CHECK (amount > 0);
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key2 UNIQUE USING INDEX accounts_email_idx;
ALTER TABLE purchases ADD CONSTRAINT purchases_amount_check2 CHECK (amount < 1000000) NOT VALID;
ALTER TABLE purchases VALIDATE CONSTRAINT purchases_amount_check2;
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
ALTER DOMAIN positive_int ADD CONSTRAINT positive_small CHECK (VALUE < 1000);
