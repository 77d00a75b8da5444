// A client that gives up on a long tool call: the official TypeScript SDK client starts a slow
// sql_execute, waits for the test to say the query is running on the server (a line on stdin),
// then aborts the call, which sends notifications/cancelled. Driven by
// tests/Rose.Console.Tests/Mcp/McpCancellationTests.cs; prints one JSON object with what it saw.
//   MODE=http  MCP_URL=... ROSE_KEY=... SQL=... REASON=... node cancel.mjs
//   MODE=stdio ROSE_EXE=... ROSE_URL=... ROSE_KEY=... SQL=... REASON=... node cancel.mjs
import { createInterface } from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const env = process.env;
const transport = env.MODE === "stdio"
  ? new StdioClientTransport({
      command: env.ROSE_EXE,
      args: ["mcp", "--url", env.ROSE_URL],
      env: { ...env, ROSE_API_KEY: env.ROSE_KEY },
      stderr: "ignore",
    })
  : new StreamableHTTPClientTransport(new URL(env.MCP_URL), { requestInit: { headers: { Authorization: `Bearer ${env.ROSE_KEY}` } } });

const client = new Client({ name: "rose-ts-cancel", version: "1.0.0" });
await client.connect(transport);

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const abort = new AbortController();
const seen = {};
const call = client
  .callTool({ name: "sql_execute", arguments: { database: "demo", sql: env.SQL, reason: env.REASON } }, undefined,
    { signal: abort.signal, timeout: 120_000 })
  .then((result) => { seen.answered = result; }, (error) => { seen.error = String(error?.message ?? error); });

// The test writes "running" once it sees the query in pg_stat_activity.
process.stdout.write("started\n");
const go = await lines.next();
seen.told = go.value ?? null;
abort.abort("the test cancels the call");
await call;

// Keep the session open until the test has checked the server ("close" on stdin): a cancelled call,
// not a closed connection, is what must stop the query.
process.stdout.write(JSON.stringify(seen) + "\n");
await lines.next();
await client.close();
process.exit(0);
