// A person's MCP client signing in with OAuth, as the official TypeScript SDK does it: /mcp answers
// 401 with a resource_metadata pointer, the SDK reads Rose's protected resource metadata (RFC 9728),
// finds the provider, runs the authorization code flow with PKCE and the resource indicator, and
// connects again with the provider's access token. Driven by tests/Rose.Console.Tests/Mcp/McpOAuthTests.cs.
//   MCP_URL=http://127.0.0.1:port/mcp OIDC_USER=ada CLIENT_ID=rose-mcp node oauth.mjs
// The browser step is played by fetch against oidc-provider's development login form (any password).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const env = process.env;
const redirectUrl = "http://127.0.0.1:9/callback";
const seen = { user: env.OIDC_USER };

class TestProvider {
  constructor() { this.saved = {}; }
  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return { client_name: "rose-mcp-tests", redirect_uris: [redirectUrl], grant_types: ["authorization_code"],
      response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation() { return { client_id: env.CLIENT_ID }; }
  tokens() { return this.saved.tokens; }
  saveTokens(tokens) { this.saved.tokens = tokens; }
  saveCodeVerifier(v) { this.saved.verifier = v; }
  codeVerifier() { return this.saved.verifier; }
  async redirectToAuthorization(url) {
    seen.authorizationUrl = url.toString();
    this.saved.code = await signIn(url, env.OIDC_USER);
  }
}

// The person's browser: follow redirects by hand, keep cookies, submit the login form.
async function signIn(url, user) {
  const jar = new Map();
  const go = async (target, init = {}) => {
    const headers = { ...(init.headers ?? {}), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
    const response = await fetch(target, { ...init, headers, redirect: "manual" });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  let response = await go(url);
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.toString().startsWith(redirectUrl)) {
        if (next.searchParams.get("error")) throw new Error(`provider refused: ${next.searchParams.get("error")} ${next.searchParams.get("error_description")}`);
        return next.searchParams.get("code");
      }
      response = await go(next);
      url = next;
      continue;
    }
    const page = await response.text();
    const action = /action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error(`no login form at ${url}: ${response.status} ${page.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1] ?? "login";
    const form = new URLSearchParams(prompt === "login" ? { prompt, login: user, password: "any" } : { prompt });
    const uid = /name="uid" value="([^"]+)"/.exec(page)?.[1];
    if (uid) form.set("uid", uid);
    response = await go(new URL(action, url), { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }
  throw new Error("too many redirects while signing in");
}

const provider = new TestProvider();
const transport = () => new StreamableHTTPClientTransport(new URL(env.MCP_URL), { authProvider: provider });

// First contact: no token, so the SDK discovers the provider from Rose's metadata and signs in.
const first = transport();
try {
  await new Client({ name: "rose-oauth-tests", version: "1.0.0" }).connect(first);
  seen.connectedWithoutToken = true;
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  seen.challenged = true;
}
if (!provider.saved.code) throw new Error("no authorization code: " + JSON.stringify(seen));
await first.finishAuth(provider.saved.code);
seen.tokenType = provider.saved.tokens?.token_type ?? null;
const payload = provider.saved.tokens?.access_token?.split(".")[1];
seen.accessTokenAudience = payload ? JSON.parse(Buffer.from(payload, "base64url").toString()).aud : null;

const client = new Client({ name: "rose-oauth-tests", version: "1.0.0" });
try {
  await client.connect(transport());
} catch (error) {
  // A person the provider knows but Rose gives no role: the token is refused, so is the session.
  if (!(error instanceof UnauthorizedError)) throw error;
  seen.refusedAfterSignIn = true;
  process.stdout.write(JSON.stringify(seen) + "\n");
  process.exit(0);
}
const listed = await client.listTools();
seen.tools = listed.tools.map((t) => t.name);
const read = await client.callTool({ name: "sql_execute", arguments: { database: "demo", sql: "SELECT 1 AS one", reason: `oauth ${env.OIDC_USER}` } });
seen.read = { isError: read.isError ?? false, status: read.structuredContent?.status ?? null };
const logs = await client.callTool({ name: "sql_logs", arguments: { limit: 1 } });
seen.logs = { isError: logs.isError ?? false };
await client.close();
process.stdout.write(JSON.stringify(seen) + "\n");
