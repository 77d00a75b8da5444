-- Validation dashboard: stable keys for checks (so results of the same check line up across runs),
-- a claim per schedule slot (so several console instances run a scheduled validation once), the
-- observed value of each result (row-count baselines, trend charts) and the schema audit's findings.
ALTER TABLE rose.validation_checks ADD COLUMN check_key text;
ALTER TABLE rose.validation_checks ADD COLUMN created_by text;
UPDATE rose.validation_checks SET check_key = kind || ':' || id WHERE check_key IS NULL;
ALTER TABLE rose.validation_checks ALTER COLUMN check_key SET NOT NULL;
CREATE UNIQUE INDEX validation_checks_key_idx ON rose.validation_checks (database_name, check_key);

ALTER TABLE rose.validation_runs ADD COLUMN schedule_slot timestamptz;
ALTER TABLE rose.validation_runs ADD COLUMN summary jsonb;
ALTER TABLE rose.validation_runs ADD COLUMN error text;
-- The claim: the first instance to insert a slot's row runs it; the others see the conflict and skip.
CREATE UNIQUE INDEX validation_runs_slot_idx ON rose.validation_runs (database_name, schedule_slot) WHERE schedule_slot IS NOT NULL;
CREATE INDEX validation_runs_database_idx ON rose.validation_runs (database_name, id);

ALTER TABLE rose.validation_results ADD COLUMN kind text;
ALTER TABLE rose.validation_results ADD COLUMN table_name text;
ALTER TABLE rose.validation_results ADD COLUMN column_name text;
ALTER TABLE rose.validation_results ADD COLUMN title text;
ALTER TABLE rose.validation_results ADD COLUMN observed numeric;
CREATE INDEX validation_results_key_idx ON rose.validation_results (check_key, run_id);

CREATE TABLE rose.validation_findings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES rose.validation_runs (id),
    rule            text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('info', 'warn', 'error')),
    object_name     text NOT NULL,
    detail          text NOT NULL,
    remediation     text NOT NULL
);
CREATE INDEX validation_findings_run_idx ON rose.validation_findings (run_id, id);
