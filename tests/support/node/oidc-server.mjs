// A real OAuth 2.0 / OpenID Connect server for sbctl's tests: the npm package
// oidc-provider on 127.0.0.1, a random port. Prints {"issuer": ...} as its first line on
// stdout when ready, and exits when its stdin closes (the test that started it is gone).
//
// Clients (all native, loopback redirect on any port, path /callback):
//   sbctl         client_secret_basic, secret "sbctl s3cret+/:&=" (RFC 6749 §2.3.1 encoding)
//   sbctl-post    client_secret_post,  the same secret
//   sbctl-public  none (public client; PKCE carries the proof)
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
  grant_types: ['authorization_code', 'refresh_token'],
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
    },
    pkce: { required: () => true },
    ttl: { AccessToken: 3600, RefreshToken: 30 * 86400 },
    cookies: { keys: ['sbctl-test-cookie-key'] },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
