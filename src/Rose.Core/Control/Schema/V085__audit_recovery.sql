-- Crash recovery of outcomes. An attempt that runs in a target transaction records that
-- transaction's id (pg_current_xact_id, read in the same round trip as BEGIN) before any statement
-- runs; after a crash between the target's COMMIT and the outcome write, AuditRecovery asks the
-- target with pg_xact_status whether it committed and writes the outcome with recovered = true.
-- target_xid is part of the row hash when present, recovered part of the outcome hash when true,
-- so rows written before this version hash as they always did.
ALTER TABLE rose.audit_log ADD COLUMN target_xid bigint;
ALTER TABLE rose.audit_outcome ADD COLUMN recovered boolean NOT NULL DEFAULT false;
-- 'unknown': recovery could not tell (no transaction id, or the target no longer knows it).
ALTER TABLE rose.audit_outcome DROP CONSTRAINT audit_outcome_status_check;
ALTER TABLE rose.audit_outcome ADD CONSTRAINT audit_outcome_status_check
    CHECK (status IN ('succeeded', 'failed', 'denied', 'pending_approval', 'cancelled', 'unknown'));
