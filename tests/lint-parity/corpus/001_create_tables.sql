-- Tables the later migrations change.
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    email varchar(255) NOT NULL,
    country char(2),
    profile json,
    created_at timestamp NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id int PRIMARY KEY,
    account_id int REFERENCES accounts (id),
    total smallint,
    placed_at timestamp
);

CREATE TABLE IF NOT EXISTS events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
