-- Where an agent key came from: 'config' keys (Rose:Agents:<id>:ApiKey) are revoked at start-up once the
-- configuration no longer holds them; 'console' keys are managed on the /agents page. Keys registered
-- before this version cannot be told apart and count as console keys.
ALTER TABLE rose.api_keys ADD COLUMN source text NOT NULL DEFAULT 'console' CHECK (source IN ('console', 'config'));
