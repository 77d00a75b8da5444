-- Console instances keep verified API keys in memory for a few seconds (Rose.Core.Agents.ApiKeyCache).
-- Every change that can stop a key from working (revoked, expiry moved, key re-hashed or moved to another
-- agent, agent disabled or its policy changed, rows deleted) notifies channel rose_api_keys inside the same
-- transaction, so every instance drops its cache the moment the change commits, whichever instance, tool or
-- psql session made it. Writes of last_used_at alone (batched by the console) do not notify.
CREATE FUNCTION rose.notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rose_api_keys', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_change_notify AFTER UPDATE ON rose.api_keys FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.agent_id IS DISTINCT FROM NEW.agent_id OR OLD.key_hash IS DISTINCT FROM NEW.key_hash)
    EXECUTE FUNCTION rose.notify_api_key_change();
CREATE TRIGGER api_keys_delete_notify AFTER DELETE OR TRUNCATE ON rose.api_keys FOR EACH STATEMENT
    EXECUTE FUNCTION rose.notify_api_key_change();
CREATE TRIGGER agents_change_notify AFTER UPDATE OR DELETE OR TRUNCATE ON rose.agents FOR EACH STATEMENT
    EXECUTE FUNCTION rose.notify_api_key_change();
