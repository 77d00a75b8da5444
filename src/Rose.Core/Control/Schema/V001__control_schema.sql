-- Rose's own control schema. Applied once by ControlSchemaMigrator under an advisory lock.
CREATE SCHEMA IF NOT EXISTS rose;

-- One row per execution attempt, written before the statement runs (fail closed).
-- Insert-only: a trigger refuses UPDATE and DELETE; row_hash chains each row to the one before.
CREATE TABLE rose.audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL,
    executor_id     text NOT NULL,
    executor_name   text NOT NULL,
    executor_kind   text NOT NULL CHECK (executor_kind IN ('human', 'agent', 'system')),
    provider        text NOT NULL,
    channel         text NOT NULL,
    database_name   text NOT NULL,
    reason          text,
    sql_text        text NOT NULL,
    sql_length      integer NOT NULL,
    sql_hash        text NOT NULL,
    operations      text[] NOT NULL,
    decision        text NOT NULL CHECK (decision IN ('allow', 'approval', 'deny')),
    decision_reasons text[] NOT NULL,
    approval_id     bigint,
    approved_by     text,
    prev_hash       text NOT NULL,
    row_hash        text NOT NULL
);
CREATE INDEX audit_log_occurred_idx ON rose.audit_log (occurred_at DESC, id DESC);
CREATE INDEX audit_log_database_idx ON rose.audit_log (database_name, id DESC);
CREATE INDEX audit_log_executor_idx ON rose.audit_log (executor_id, id DESC);

-- The outcome of an attempt: exactly one per attempt (primary key), also insert-only.
-- outcome_hash binds the outcome to its attempt's row_hash.
CREATE TABLE rose.audit_outcome (
    audit_id        bigint PRIMARY KEY REFERENCES rose.audit_log (id),
    finished_at     timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('succeeded', 'failed', 'denied', 'pending_approval', 'cancelled')),
    rows_affected   bigint,
    duration_ms     double precision,
    error_sqlstate  text,
    error_message   text,
    statements      jsonb,
    outcome_hash    text NOT NULL
);
CREATE INDEX audit_outcome_status_idx ON rose.audit_outcome (status, audit_id DESC);

CREATE FUNCTION rose.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rose.%: rows are append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON rose.audit_log
    FOR EACH ROW EXECUTE FUNCTION rose.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON rose.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION rose.refuse_change();
CREATE TRIGGER audit_outcome_append_only BEFORE UPDATE OR DELETE ON rose.audit_outcome
    FOR EACH ROW EXECUTE FUNCTION rose.refuse_change();
CREATE TRIGGER audit_outcome_no_truncate BEFORE TRUNCATE ON rose.audit_outcome
    FOR EACH STATEMENT EXECUTE FUNCTION rose.refuse_change();

-- Entries as people browse them: the attempt with its outcome ('running' until it has one).
CREATE VIEW rose.audit_entries AS
SELECT a.*, coalesce(o.status, 'running') AS status, o.finished_at, o.rows_affected, o.duration_ms,
       o.error_sqlstate, o.error_message, o.statements, o.outcome_hash
FROM rose.audit_log a
LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id;

-- Batches the policy parked for a human.
CREATE TABLE rose.approvals (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    requester_id    text NOT NULL,
    requester_name  text NOT NULL,
    requester_kind  text NOT NULL,
    channel         text NOT NULL,
    database_name   text NOT NULL,
    reason          text,
    sql_text        text NOT NULL,
    sql_hash        text NOT NULL,
    operations      text[] NOT NULL,
    policy_reasons  text[] NOT NULL,
    preview         jsonb,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'executing', 'executed', 'failed')),
    decided_by      text,
    decided_by_name text,
    decided_at      timestamptz,
    decision_comment text,
    request_audit_id bigint REFERENCES rose.audit_log (id),
    execution_audit_id bigint REFERENCES rose.audit_log (id),
    result          jsonb
);
CREATE INDEX approvals_status_idx ON rose.approvals (status, created_at DESC, id DESC);

-- array_to_string is only STABLE (it calls the element type's output function), which a generated
-- column refuses; for text[] the result cannot change, so this wrapper is declared IMMUTABLE.
CREATE FUNCTION rose.tags_text(tags text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_to_string(tags, ' ') $$;

-- Structured devlogs (the seed's format).
CREATE TABLE rose.devlogs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    author_id       text NOT NULL,
    author_name     text NOT NULL,
    author_kind     text NOT NULL,
    service_id      text NOT NULL,
    log_type        text NOT NULL,
    title           text NOT NULL,
    content         text NOT NULL DEFAULT '',
    tags            text[] NOT NULL DEFAULT '{}',
    metadata        jsonb NOT NULL DEFAULT '{}',
    audit_id        bigint REFERENCES rose.audit_log (id),
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                        setweight(to_tsvector('english', coalesce(content, '')), 'B') ||
                        setweight(to_tsvector('english', rose.tags_text(tags)), 'C')) STORED
);
CREATE INDEX devlogs_created_idx ON rose.devlogs (created_at DESC, id DESC);
CREATE INDEX devlogs_search_idx ON rose.devlogs USING gin (search);
CREATE INDEX devlogs_tags_idx ON rose.devlogs USING gin (tags);

-- Agents and their API keys (only SHA-256 hashes of keys are stored).
CREATE TABLE rose.agents (
    id              text PRIMARY KEY,
    display_name    text NOT NULL,
    policy          jsonb NOT NULL,
    source          text NOT NULL CHECK (source IN ('config', 'console')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz
);
CREATE TABLE rose.api_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id        text NOT NULL REFERENCES rose.agents (id),
    key_hash        text NOT NULL UNIQUE,
    key_prefix      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz
);

-- Targets added in the console (configuration targets are registered at start, not stored).
CREATE TABLE rose.targets (
    name            text PRIMARY KEY,
    connection_string text NOT NULL,
    read_only_connection_string text,
    environment     text NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Validation checks and their runs.
CREATE TABLE rose.validation_checks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    database_name   text NOT NULL,
    kind            text NOT NULL,
    table_name      text,
    definition      jsonb NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rose.validation_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    database_name   text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    triggered_by    text NOT NULL,
    status          text NOT NULL DEFAULT 'running'
);
CREATE TABLE rose.validation_results (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES rose.validation_runs (id),
    check_key       text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'error')),
    failing_rows    bigint,
    sample          jsonb,
    sql_text        text,
    duration_ms     double precision,
    message         text
);
CREATE INDEX validation_results_run_idx ON rose.validation_results (run_id, id);

-- Migration runs performed through Rose (the per-target history lives in rose_schema_history).
CREATE TABLE rose.migration_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    database_name   text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    started_by      text NOT NULL,
    dry_run         boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'running',
    summary         jsonb
);
