// A real OAuth 2.0 / OpenID Connect server for sbctl's tests: the npm package
// oidc-provider on 127.0.0.1, a random port. Prints {"issuer": ...} as its first line on
// stdout when ready, and exits when its stdin closes (the test that started it is gone).
//
// Clients (all native, loopback redirect on any port, path /callback):
//   sbctl          client_secret_basic, secret "sbctl s3cret+/:&=" (RFC 6749 §2.3.1 encoding)
//   sbctl-post     client_secret_post,  the same secret
//   sbctl-public   none (public client; PKCE carries the proof)
//   sbctl-norotate client_secret_basic, the same secret; its refresh tokens do not rotate
// Every other client's refresh token rotates on each use, and reusing a rotated one
// revokes the whole grant (oidc-provider's own rule): a lost rotated token is fatal.
// Access tokens live SBCTL_TEST_ACCESS_TTL seconds (default 3600).
// With SBCTL_TEST_SHARED_GRANT=1 every sign-in of an account to a client joins the one
// grant that account gave it (as a server that remembers consent does), so revoking any
// token ends every sign-in's tokens; otherwise each sign-in (a fresh browser session)
// has a grant of its own, and revoking a token ends only its sign-in's.
//
// Faults for the renewal tests: POST /__test/faults with JSON sets any of
//   token503: n       the next n token requests get 503 with Retry-After: 1
//   tokenHtml: n      the next n get 200 with an HTML page instead of JSON
//   tokenTruncated: n the next n get 200 with a truncated JSON body
//   tokenDelayMs: ms  token answers are held back this long, after the provider has
//                     done its work (a refresh token is used up before the answer leaves)
//   slowDown: n       the next n token requests get RFC 8628's `slow_down` error
// The device flow (RFC 8628) is on: codes live SBCTL_TEST_DEVICE_TTL seconds (default
// 600), and SBCTL_TEST_DEVICE_INTERVAL, when set, is the polling interval it names.
// Scopes: openid offline_access profile posts:read. "posts:write" is deliberately not
// offered, so a client asking for it is granted fewer scopes than it asked for.
// Any login name with any password signs in; the login name is the account id (sub).
import http from 'node:http';
import Provider from 'oidc-provider';

const SECRET = 'sbctl s3cret+/:&=';
const native = (client_id, auth, secret) => ({
  client_id,
  ...(secret ? { client_secret: secret } : {}),
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  token_endpoint_auth_method: auth,
});

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      native('sbctl', 'client_secret_basic', SECRET),
      native('sbctl-post', 'client_secret_post', SECRET),
      native('sbctl-public', 'none'),
      native('sbctl-norotate', 'client_secret_basic', SECRET),
    ],
    scopes: ['openid', 'offline_access', 'profile', 'posts:read'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, name: `User ${sub}`, preferred_username: sub }),
    }),
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      // RFC 8628: /device/auth, the code entered at /device.
      deviceFlow: { enabled: true },
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: Number(process.env.SBCTL_TEST_ACCESS_TTL || 3600),
      RefreshToken: 30 * 86400,
      DeviceCode: Number(process.env.SBCTL_TEST_DEVICE_TTL || 600),
    },
    rotateRefreshToken: (ctx) => ctx.oidc.client.clientId !== 'sbctl-norotate',
    cookies: { keys: ['sbctl-test-cookie-key'] },
    loadExistingGrant: async (ctx) => {
      const { session, client, result } = ctx.oidc;
      const id = result?.consent?.grantId || session.grantIdFor(client.clientId)
        || (process.env.SBCTL_TEST_SHARED_GRANT && grants.get(`${session.accountId}/${client.clientId}`));
      return id ? ctx.oidc.provider.Grant.find(id) : undefined;
    },
  });
  // Each account's grant to each client, for SBCTL_TEST_SHARED_GRANT.
  const grants = new Map();
  provider.on('grant.saved', (grant) => grants.set(`${grant.accountId}/${grant.clientId}`, grant.jti));
  const faults = {
    token503: 0, tokenHtml: 0, tokenTruncated: 0, tokenDelayMs: 0, slowDown: 0,
  };
  provider.use(async (ctx, next) => {
    if (ctx.path === '/__test/faults' && ctx.method === 'POST') {
      let text = '';
      for await (const chunk of ctx.req) text += chunk;
      Object.assign(faults, JSON.parse(text || '{}'));
      ctx.body = faults;
      return;
    }
    if (ctx.path === '/device/auth' && ctx.method === 'POST') {
      await next();
      // oidc-provider names no polling interval (RFC 8628 then says 5 s); the tests ask
      // for a shorter one so that they wait less.
      if (ctx.status === 200 && process.env.SBCTL_TEST_DEVICE_INTERVAL) {
        ctx.body = { ...ctx.body, interval: Number(process.env.SBCTL_TEST_DEVICE_INTERVAL) };
      }
      return;
    }
    if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
    if (faults.slowDown > 0) {
      faults.slowDown -= 1;
      ctx.status = 400;
      ctx.body = { error: 'slow_down', error_description: 'polled too often' };
      return;
    }
    if (faults.token503 > 0) {
      faults.token503 -= 1;
      ctx.status = 503;
      ctx.set('Retry-After', '1');
      ctx.type = 'text/html';
      ctx.body = '<html><body>Service Unavailable</body></html>';
      return;
    }
    if (faults.tokenHtml > 0) {
      faults.tokenHtml -= 1;
      ctx.status = 200;
      ctx.type = 'text/html';
      ctx.body = '<html><body>Please log in to the proxy</body></html>';
      return;
    }
    if (faults.tokenTruncated > 0) {
      faults.tokenTruncated -= 1;
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = '{"access_token": "abc';
      return;
    }
    await next();
    if (faults.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, faults.tokenDelayMs));
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
