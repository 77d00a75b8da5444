-- Validation runs beat a heart while they work, so a run whose process died is recognisable: its
-- heartbeat stops, a sweep marks it 'abandoned' (with finished_at and an error saying so), and the
-- scheduler may claim its slot again.
ALTER TABLE rose.validation_runs ADD COLUMN heartbeat_at timestamptz;
-- Rows from before this version never beat: their last sign of life is when they ended or started,
-- so a run left 'running' by a crash before the upgrade is swept like any other.
UPDATE rose.validation_runs SET heartbeat_at = coalesce(finished_at, started_at);
ALTER TABLE rose.validation_runs ALTER COLUMN heartbeat_at SET DEFAULT now();
ALTER TABLE rose.validation_runs ALTER COLUMN heartbeat_at SET NOT NULL;

-- The claim now ignores abandoned runs: their row stays (history, results already stored) while a
-- new row for the same slot may be inserted. Live and finished runs still hold the slot, once.
DROP INDEX rose.validation_runs_slot_idx;
CREATE UNIQUE INDEX validation_runs_live_slot_idx ON rose.validation_runs (database_name, schedule_slot)
    WHERE schedule_slot IS NOT NULL AND status <> 'abandoned';

-- The sweep looks only at running rows, a handful at most.
CREATE INDEX validation_runs_running_idx ON rose.validation_runs (heartbeat_at) WHERE status = 'running';
