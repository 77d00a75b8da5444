-- Several consoles may share one control database (issue #24).

-- The ASP.NET Core Data Protection key ring every replica reads, so a cookie, an antiforgery token or a
-- protected payload made on one console opens on another. Each row is one key's XML as Data Protection
-- stores it, already encrypted (Rose:DataProtection:CertificatePath or :KeyFile): the control database
-- alone never holds a usable key.
CREATE TABLE rose.data_protection_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml           text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Once-only scheduled work: the instance whose insert of (work, slot) wins does that slot's work.
CREATE TABLE rose.work_claims (
    work       text NOT NULL,
    slot       timestamptz NOT NULL,
    instance   text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (work, slot)
);

-- Workbench CSV downloads parked by one console and fetched from whichever replica the GET reaches.
-- Only a SHA-256 of the token is stored; a ticket is deleted when it is redeemed.
CREATE TABLE rose.export_tickets (
    token_hash text PRIMARY KEY,
    user_id    text NOT NULL,
    database   text NOT NULL,
    sql        text NOT NULL,
    reason     text,
    statement  integer,
    expires_at timestamptz NOT NULL
);
CREATE INDEX export_tickets_expiry_idx ON rose.export_tickets (expires_at);
