-- The MCP tools an agent may call (issue #20), unprefixed catalog names; NULL = every tool. Set on the
-- /agents page for console agents; a configuration agent's list stays in Rose:Agents:<id>:McpTools.
-- An update notifies rose_api_keys (the agents trigger of V230), so every console drops its key cache.
ALTER TABLE rose.agents ADD COLUMN mcp_tools text[];
