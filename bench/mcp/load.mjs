// One MCP caller sending `SELECT 1` as fast as answers come back, through the official TypeScript SDK
// client, for bench/mcp.sh. Prints one JSON line: {mode, calls, seconds, per_s, p50_ms, p99_ms}.
//   MODE=stdio     ROSE_EXE=... ROSE_URL=http://127.0.0.1:port ROSE_KEY=...   (`rose mcp` relaying to the console)
//   MODE=http      MCP_URL=http://127.0.0.1:port/mcp ROSE_KEY=...             (the console's own /mcp)
//   MODE=reference PG_URL=postgresql://...                                     (@modelcontextprotocol/server-postgres)
//   SECONDS_TO_RUN (default 10), WARMUP_SECONDS (default 2),
//   SETTLE_MAX_SECONDS (default 90; 0 = only the fixed warm-up): after the warm-up, 2 s windows of calls until
//   three windows in a row are no more than 3% faster than the best before them, so the measured run starts
//   once the client, the server and (for Rose) the console have stopped getting faster as their JITs finish
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import { setMaxListeners } from "node:events";

// The SDK's HTTP transport passes one AbortSignal to every fetch, and undici drops each request's abort listener
// only when the request is garbage-collected: past 1,500 listeners Node printed a warning with a stack for every
// call (1,400 of them in one run), which slowed the /mcp client alone. Unlimited for every EventTarget made from here on.
setMaxListeners(Infinity);

const env = process.env;
const mode = env.MODE;
const seconds = Number(env.SECONDS_TO_RUN ?? 10);
const warmup = Number(env.WARMUP_SECONDS ?? 2);

function transport() {
  switch (mode) {
    case "stdio":
      return new StdioClientTransport({
        command: env.ROSE_EXE,
        args: ["mcp", "--url", env.ROSE_URL],
        env: { ...env, ROSE_API_KEY: env.ROSE_KEY },
        stderr: "ignore",
      });
    case "http":
      return new StreamableHTTPClientTransport(new URL(env.MCP_URL), {
        requestInit: { headers: { Authorization: `Bearer ${env.ROSE_KEY}` } },
      });
    case "reference": {
      const server = fileURLToPath(new URL("./node_modules/@modelcontextprotocol/server-postgres/dist/index.js", import.meta.url));
      return new StdioClientTransport({ command: process.execPath, args: [server, env.PG_URL], stderr: "ignore" });
    }
    default:
      throw new Error(`MODE must be stdio, http or reference, not ${mode}`);
  }
}

// The same statement each way: Rose's audited sql_execute, or the reference's read-only query tool.
const call = mode === "reference"
  ? { name: "query", arguments: { sql: "SELECT 1" } }
  : { name: "sql_execute", arguments: { database: "bench", sql: "SELECT 1", reason: "bench/mcp.sh" } };

const client = new Client({ name: "rose-bench-mcp", version: "1.0.0" });
await client.connect(transport());

async function once() {
  const answer = await client.callTool(call);
  // A refused or failed call must not count as throughput.
  const text = answer.content?.[0]?.text ?? "";
  if (answer.isError || (mode !== "reference" && answer.structuredContent?.status !== "succeeded")) {
    throw new Error(`${mode}: the call did not succeed: ${text.slice(0, 300)}`);
  }
}

async function runFor(limitSeconds, latencies) {
  const end = performance.now() + limitSeconds * 1000;
  let calls = 0;
  while (performance.now() < end) {
    const start = performance.now();
    await once();
    latencies?.push(performance.now() - start);
    calls++;
  }
  return calls;
}

// Why settle: a .NET process (the console, `rose mcp`) recompiles its hot paths at tier 1 for tens of seconds
// (bench/README.md, thirteenth round: the API measured 2 s after its warm-up ran at a third of its settled rate).
async function settle(maxSeconds) {
  const started = performance.now();
  let best = 0;
  let flat = 0;
  while (flat < 3 && performance.now() - started < maxSeconds * 1000) {
    const rate = (await runFor(2, null)) / 2;
    if (rate > best * 1.03) {
      best = rate;
      flat = 0;
    } else {
      flat++;
    }
  }
  return (performance.now() - started) / 1000;
}

await runFor(warmup, null);
const settleSeconds = await settle(Number(env.SETTLE_MAX_SECONDS ?? 90));
const latencies = [];
const started = performance.now();
const calls = await runFor(seconds, latencies);
const elapsed = (performance.now() - started) / 1000;
await client.close();

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
process.stdout.write(JSON.stringify({
  mode, settle_s: Number(settleSeconds.toFixed(1)), calls, seconds: Number(elapsed.toFixed(2)), per_s: Math.round(calls / elapsed),
  p50_ms: Number(pct(0.5).toFixed(2)), p99_ms: Number(pct(0.99).toFixed(2)),
}) + "\n");
