-- Prior backups (issue 19): before a destructive statement runs, Rose copies the rows it changes into
-- schema rose_backup on the target. This table says where each copy is, what it holds and when the
-- retention job drops it; the audit row's statements name the same backup tables.
CREATE TABLE rose.prior_backups (
    id              bigserial PRIMARY KEY,
    audit_id        bigint NOT NULL,
    statement_index integer NOT NULL,
    ordinal         integer NOT NULL,
    database_name   text NOT NULL,
    operation       text NOT NULL,
    source_schema   text NOT NULL,
    source_table    text NOT NULL,
    backup_table    text NOT NULL,
    whole_table     boolean NOT NULL,
    row_count       bigint NOT NULL,
    byte_count      bigint NOT NULL,
    key_columns     text[] NOT NULL,
    columns         text[] NOT NULL,
    change_xid      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    dropped_at      timestamptz,
    UNIQUE (audit_id, statement_index, ordinal)
);

-- The retention job reads only live backups past their time.
CREATE INDEX prior_backups_expiry_idx ON rose.prior_backups (expires_at) WHERE dropped_at IS NULL;
