-- A bit of everything, in the order a hurried migration might have it.
CREATE TABLE IF NOT EXISTS customer_preferences_with_a_name_that_is_far_too_long_for_postgres (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code varchar(8) NOT NULL,
    flags smallint,
    counter integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE accounts ALTER COLUMN nick TYPE varchar(80);
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS visits int NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS rank bigint DEFAULT (random() * 100)::bigint;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS code char(4);
ALTER TABLE accounts ADD CONSTRAINT accounts_code_check CHECK (char_length(code) = 4);
ALTER TABLE purchases ADD CONSTRAINT purchases_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX accounts_code_idx ON accounts (code);
REINDEX TABLE accounts;
DROP INDEX IF EXISTS accounts_code_idx;
DROP TABLE IF EXISTS scratch;
TRUNCATE purchases, accounts CASCADE;
