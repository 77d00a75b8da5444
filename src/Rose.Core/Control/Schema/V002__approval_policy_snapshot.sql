-- The policy a request was parked under, so executing it after approval re-checks the stored SQL
-- against the same rules (a human requester's role is not known once they have signed out).
ALTER TABLE rose.approvals ADD COLUMN policy jsonb;
ALTER TABLE rose.approvals ADD COLUMN target_snapshot jsonb;
-- Lets the approvals page show "expired" without a sweeper racing the approvers.
CREATE INDEX approvals_pending_expiry_idx ON rose.approvals (expires_at) WHERE status = 'pending';
