// Rose's MCP server as the official TypeScript SDK client sees it. Driven by
// tests/Rose.Console.Tests/Mcp/TypeScriptClientTests.cs; prints one JSON object with what it saw.
//   MODE=http  MCP_URL=http://127.0.0.1:port/mcp ROSE_KEY=... node client.mjs
//   MODE=stdio ROSE_EXE=/path/to/rose ROSE_URL=http://127.0.0.1:port ROSE_KEY=... node client.mjs
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const env = process.env;
const prefix = env.TOOL_PREFIX ?? "janus_";

function transport(key) {
  if (env.MODE === "stdio") {
    return new StdioClientTransport({
      command: env.ROSE_EXE,
      args: ["mcp", "--url", env.ROSE_URL, "--tool-prefix", prefix],
      env: { ...env, ROSE_API_KEY: key },
      stderr: "ignore",
    });
  }
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  return new StreamableHTTPClientTransport(new URL(env.MCP_URL), { requestInit: { headers } });
}

async function connect(key) {
  const client = new Client({ name: "rose-ts-tests", version: "1.0.0" });
  await client.connect(transport(key));
  return client;
}

const seen = {};
if (env.MODE !== "stdio") {
  // Without a key the server must refuse before any tool exists for us.
  try {
    const anonymous = await connect(undefined);
    await anonymous.listTools();
    seen.refusedWithoutKey = false;
    await anonymous.close();
  } catch (error) {
    seen.refusedWithoutKey = true;
    seen.refusal = `${error?.code ?? ""} ${String(error?.message ?? error)}`;
  }
}

const client = await connect(env.ROSE_KEY);
const listed = await client.listTools();
seen.tools = listed.tools.map((t) => ({ name: t.name, annotations: t.annotations ?? null }));
seen.toolsListChars = JSON.stringify(listed).length;

const call = (name, args) => client.callTool({ name: prefix + name, arguments: args });
const read = await call("sql_execute", { database: "demo", sql: "SELECT note FROM customers", reason: "ts client read " + env.MODE });
seen.read = { isError: read.isError ?? false, text: read.content[0].text, structured: read.structuredContent ?? null };

const drop = await call("sql_execute", { database: "demo", sql: "DROP TABLE customers", reason: "ts client drop " + env.MODE });
seen.drop = drop.structuredContent ?? null;
seen.polls = [];
for (let i = 0; i < 3 && seen.drop?.approval_id; i++) {
  const status = await call("approval_status", { approval_id: seen.drop.approval_id });
  seen.polls.push(status.structuredContent?.status ?? null);
}

await client.close();
process.stdout.write(JSON.stringify(seen) + "\n");
