// A real OpenID Connect provider (oidc-provider 8.x) for Rose Console's end-to-end sign-in tests.
//
//   node provider.mjs --port 4011 --redirect http://127.0.0.1:5000/oidc/callback \
//        --post-logout http://127.0.0.1:5000/signed-out
//
// One confidential client `rose-console` (secret `rose-console-secret`), PKCE (S256) required,
// the built-in development login form (any password), consent pre-granted so the browser goes
// straight back to the console. Users and their `roles` claim are in USERS below; kim also has
// Keycloak-style nested claims (realm_access.roles, resource_access.<client>.roles) and no mapped flat role.
//
// Test switch: POST /__test/mode?value=none|expired|tampered|rogue changes what the token endpoint
// hands out next, so the console's id_token validation can be checked against a real flow:
//   expired  - re-signed with the provider's real key, but exp/iat an hour in the past
//   tampered - payload changed (subject, roles) while the original signature is kept
//   rogue    - signed with a key that is not in the provider's JWKS
//   rotated  - the provider rotates: its JWKS now also publishes a new key, and tokens are signed with it
import Provider, { errors } from 'oidc-provider';
import * as jose from 'jose';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[`OIDC_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
}

const port = Number(arg('port', '4011'));
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = arg('redirect', 'http://127.0.0.1:5000/oidc/callback').split(',');
const postLogoutUris = arg('post-logout', 'http://127.0.0.1:5000/signed-out').split(',');
// People's MCP clients (tests/mcp-client/oauth.mjs): the public client `rose-mcp` gets JWT access tokens
// for this resource indicator (Rose's /mcp URL), with the person's roles in them.
const mcpResource = arg('mcp-resource', '');
const mcpRedirect = 'http://127.0.0.1:9/callback';

const USERS = {
  ada: { name: 'Ada Lovelace', email: 'ada@example.test', roles: ['rose-approvers', 'staff'] },
  grace: { name: 'Grace Hopper', email: 'grace@example.test', roles: ['rose-admins'] },
  eve: { name: 'Eve Outsider', email: 'eve@example.test', roles: ['marketing'] },
  kim: {
    name: 'Kim Keycloak', email: 'kim@example.test', roles: ['marketing'],
    realm_access: { roles: ['offline_access'] },
    resource_access: { 'rose-console': { roles: ['rose-admins'] }, account: { roles: ['manage-account'] } },
  },
};

const signing = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(signing.privateKey)), kid: 'rose-test-1', alg: 'RS256', use: 'sig' };
const rogue = await jose.generateKeyPair('RS256', { extractable: true });
const rotatedKey = await jose.generateKeyPair('RS256', { extractable: true });
const publicJwk = async (key, kid) => ({ ...(await jose.exportJWK(key)), kid, alg: 'RS256', use: 'sig' });
let rotated = false;

let mode = 'none';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'rose-console',
    client_secret: 'rose-console-secret',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // The framework's handler authenticates at the token endpoint with client_secret_post.
    token_endpoint_auth_method: 'client_secret_post',
  }, {
    client_id: 'rose-mcp',
    redirect_uris: [mcpRedirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  }],
  jwks: { keys: [signingJwk] },
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'profile', 'email', 'roles'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    roles: ['roles', 'realm_access', 'resource_access'],
  },
  // Put the scope's claims in the id_token itself (the console reads roles from it).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (mcpResource && indicator === mcpResource) {
          return { scope: 'mcp', audience: indicator, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        }
        throw new errors.InvalidTarget();
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      // Sign out without a confirmation page: the test only checks that the console sends the user here.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].appendChild(Object.assign(document.createElement('input'),{type:'hidden',name:'logout',value:'yes'}));document.forms[0].submit();</script></body></html>`;
      },
    },
  },
  findAccount: async (ctx, id) => {
    const user = USERS[id] ?? { name: id, email: `${id}@example.test`, roles: [] };
    return {
      accountId: id,
      claims: async () => ({
        sub: id, name: user.name, preferred_username: id, email: user.email, roles: user.roles,
        // Only users that have them get nested claims, as a Keycloak realm would send them.
        ...(user.realm_access ? { realm_access: user.realm_access } : {}),
        ...(user.resource_access ? { resource_access: user.resource_access } : {}),
      }),
    };
  },
  // Rose reads the person's roles from the access token as it does from the id_token.
  extraTokenClaims: async (ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.resourceServer) return undefined;
    const user = USERS[token.accountId] ?? { name: token.accountId, roles: [] };
    return { name: user.name, roles: user.roles };
  },
  // First-party client: grant the requested scopes without a consent screen.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email roles');
    if (mcpResource) grant.addResourceScope(mcpResource, 'mcp');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['rose-oidc-test-cookie-key'] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
});

async function tamper(idToken) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'expired':
      return new jose.SignJWT({ ...payload, iat: now - 7200, exp: now - 3600 })
        .setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ })
        .sign(signing.privateKey);
    case 'tampered': {
      const [h, , s] = idToken.split('.');
      // Escalate: another subject with the admin role, keeping the genuine signature of the original.
      const body = Buffer.from(JSON.stringify({ ...payload, sub: 'mallory', name: 'Mallory', roles: ['rose-admins'] })).toString('base64url');
      return `${h}.${body}.${s}`;
    }
    case 'rotated':
      return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'rose-test-2', typ: header.typ }).sign(rotatedKey.privateKey);
    case 'rogue':
      return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'rogue-key' }).sign(rogue.privateKey);
    default:
      return idToken;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    mode = ctx.query.value ?? 'none';
    rotated ||= mode === 'rotated';
    ctx.body = { mode, rotated };
    return;
  }

  if (ctx.path === '/jwks' && rotated) {
    ctx.body = { keys: [await publicJwk(signing.publicKey, 'rose-test-1'), await publicJwk(rotatedKey.publicKey, 'rose-test-2')] };
    return;
  }

  await next();
  if (ctx.oidc?.route === 'token' && mode !== 'none' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await tamper(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
