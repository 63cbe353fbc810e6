// An independent, OpenID-certified OpenID Provider (panva/oidc-provider) for oidckit's interop
// tests (crates/oidckit/tests/interop.rs). Development use only: plain http on 127.0.0.1,
// in-memory storage, devInteractions login and consent pages, throwaway keys.
//
// Usage: node provider.mjs [PORT]     (PORT or env INTEROP_PORT; 0 or absent = any free port)
//
// Optional features, each turned on by an environment variable set to 1 (off by default, so the
// other tests see the stock configuration):
//   INTEROP_REQUIRE_PAR   require pushed authorization requests for every client (RFC 9126 §5)
//   INTEROP_JAR           accept signed request objects by value (`request`, RFC 9101)
//   INTEROP_DPOP          DPoP (RFC 9449); with INTEROP_DPOP_NONCE=1 a server nonce is required
//   INTEROP_JARM          JWT secured authorization responses (query.jwt, fragment.jwt, …)
//   INTEROP_ENCRYPTION    encrypted ID tokens, UserInfo and request objects (features.encryption,
//                         request objects by value): clients `interop-enc-rsa` (RSA-OAEP-256,
//                         A256GCM), `interop-enc-ec` (ECDH-ES+A128KW, A128CBC-HS256) and
//                         `interop-enc-ecdh-es` (ECDH-ES, A256GCM), each with its public
//                         encryption key in `jwks` (JARM responses encrypted alike, so
//                         jwtResponseModes is on too); the provider's JWKS gains RSA and EC
//                         `use: enc` keys for request objects
//   INTEROP_REGISTRATION  dynamic client registration (RFC 7591) and its management (RFC 7592);
//                         with INTEROP_REGISTRATION_TOKEN=<token> an initial access token is required
//   INTEROP_FAPI2         a FAPI 2.0 Security Profile provider (features.fapi profile '2.0'): PAR
//                         required, PKCE required, DPoP on, only private_key_jwt, only ES256 and
//                         PS256, signed request objects through PAR; the only clients are
//                         `interop-fapi2-es256` and `interop-fapi2-ps256` (private_key_jwt with an ES256 / PS256 key, ID
//                         tokens (and with INTEROP_JARM=1 JARM responses) signed with the same
//                         algorithm, DPoP-bound access tokens)
//   INTEROP_FAPI2_JARM_RS256  with INTEROP_FAPI2=1 and INTEROP_JARM=1: sign the FAPI clients'
//                         JARM responses with RS256 instead (a misconfigured provider, for the
//                         client's refusal)
//
// Protocol on stdout (one line each, everything else goes to stderr):
//   READY <issuer>             listening; <issuer> has no trailing slash
//   ROTATED <kid> <kid> ...    after a ROTATE command: the new signing keys' kids
// Commands on stdin, one per line:
//   ROTATE   replace every signing key with freshly generated ones (new kids). The provider is
//            rebuilt with the new keys behind the same listening socket; sessions, grants and
//            tokens are not kept, so sign in again afterwards.
//   BACKCHANNEL <uri>
//            register the web client `interop-backchannel` with <uri> as its
//            backchannel_logout_uri (sid required), rebuilding the provider like ROTATE; prints
//            `BACKCHANNEL-SET`. Ending a session at the provider then POSTs a logout token there.
//   STOP     exit
// The process exits when stdin closes, so a test runner that dies cannot leave it behind.
//
// Deviation from stock oidc-provider: `interop-post` is refused when it authenticates with HTTP
// Basic (stock oidc-provider accepts either secret method for either client).
//
// Extra route (not part of any spec), for tests of client authentication with keys:
//   GET /interop/client-keys  -> {"interop-private-key-jwt": <private JWK>} : the private key of
//                                the private_key_jwt client, whose public half is registered
//                                (with INTEROP_FAPI2=1: the keys of the two FAPI 2.0 clients,
//                                by client id); with INTEROP_ENCRYPTION also "interop-enc-rsa"
//                                and "interop-enc-ec", the encryption clients' decryption keys.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';

const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:9/logged-out';
const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'];
const ENCRYPTION_ENCS = ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'];
const FAPI2 = process.env.INTEROP_FAPI2 === '1';
const FAPI2_ALGS = ['ES256', 'PS256'];
const FAPI2_JARM_ALG = process.env.INTEROP_FAPI2_JARM_RS256 === '1' ? 'RS256' : undefined;
const ALL_RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

// The one end-user. devInteractions uses the submitted login as the account id; only this
// login succeeds.
const ACCOUNT_ID = 'interop-user';
const ACCOUNT_CLAIMS = {
  sub: ACCOUNT_ID,
  name: 'Interop User',
  given_name: 'Interop',
  family_name: 'User',
  preferred_username: 'interop',
  locale: 'en-US',
  updated_at: 1700000000,
  email: 'interop-user@example.com',
  email_verified: true,
  phone_number: '+1 555 0100',
  phone_number_verified: false,
  address: { formatted: '1 Loopback Way, Localhost', country: 'ZZ' },
};

let generation = 0;
// Set by the BACKCHANNEL command: the back-channel logout URI of `interop-backchannel`.
let backchannelUri;

async function signingKey(alg) {
  const options = alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const jwk = await exportJWK(privateKey);
  jwk.kid = `${alg.toLowerCase()}-g${generation}-${Math.random().toString(36).slice(2, 10)}`;
  jwk.alg = alg;
  jwk.use = 'sig';
  return jwk;
}

async function signingKeys() {
  generation += 1;
  return Promise.all(SIGNING_ALGS.map(signingKey));
}

// A client's key pair for private_key_jwt: generated once, kept across rotations.
async function clientKeyPair(alg, kid) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const priv = await exportJWK(privateKey);
  const pub = await exportJWK(publicKey);
  for (const k of [priv, pub]) {
    k.kid = kid;
    k.alg = alg;
    k.use = 'sig';
  }
  return { priv, pub };
}

const clientKey = await clientKeyPair('ES256', 'interop-client-es256');
// The FAPI 2.0 clients' keys (INTEROP_FAPI2=1), by client id.
const fapi2Keys = FAPI2
  ? Object.fromEntries(await Promise.all(FAPI2_ALGS.map(async (alg) => [
    `interop-fapi2-${alg.toLowerCase()}`,
    await clientKeyPair(alg, `interop-fapi2-${alg.toLowerCase()}`),
  ])))
  : {};

const ENCRYPTION = process.env.INTEROP_ENCRYPTION === '1';
// A long HS256 secret for the encryption clients' signed request objects.
const ENC_SECRET = 'interop-enc-secret-that-is-long-enough-for-hmac-sha256';

// The encryption clients' key pairs (`use: enc`): generated once, kept across rotations.
async function encryptionKeyPair(alg, kid, options = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const priv = await exportJWK(privateKey);
  const pub = await exportJWK(publicKey);
  for (const k of [priv, pub]) {
    k.kid = kid;
    k.use = 'enc';
  }
  return { priv, pub };
}
const encKeys = ENCRYPTION ? {
  rsa: await encryptionKeyPair('RSA-OAEP-256', 'interop-enc-rsa'),
  ec: await encryptionKeyPair('ECDH-ES', 'interop-enc-ec', { crv: 'P-256' }),
} : undefined;

// The provider's own encryption keys, for request objects encrypted to it.
async function providerEncryptionKeys() {
  if (!ENCRYPTION) return [];
  const rsa = await encryptionKeyPair('RSA-OAEP-256', `op-enc-rsa-g${generation}`);
  const ec = await encryptionKeyPair('ECDH-ES', `op-enc-ec-g${generation}`, { crv: 'P-256' });
  return [rsa.priv, ec.priv];
}

function encryptionClients() {
  if (!ENCRYPTION) return [];
  const encrypted = (id, key, alg, enc) => client(id, {
    client_secret: ENC_SECRET,
    jwks: { keys: [key.pub] },
    id_token_encrypted_response_alg: alg,
    id_token_encrypted_response_enc: enc,
    userinfo_signed_response_alg: 'RS256',
    userinfo_encrypted_response_alg: alg,
    userinfo_encrypted_response_enc: enc,
    authorization_signed_response_alg: 'RS256',
    authorization_encrypted_response_alg: alg,
    authorization_encrypted_response_enc: enc,
    request_object_encryption_alg: 'RSA-OAEP-256',
    request_object_encryption_enc: 'A256GCM',
  });
  return [
    encrypted('interop-enc-rsa', encKeys.rsa, 'RSA-OAEP-256', 'A256GCM'),
    encrypted('interop-enc-ec', encKeys.ec, 'ECDH-ES+A128KW', 'A128CBC-HS256'),
    encrypted('interop-enc-ecdh-es', encKeys.ec, 'ECDH-ES', 'A256GCM'),
  ];
}

function client(id, extra = {}) {
  return {
    client_id: id,
    application_type: 'native', // http://127.0.0.1 redirect URIs (RFC 8252 loopback) with every flow
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token', 'implicit'],
    response_types: ALL_RESPONSE_TYPES,
    scope: 'openid offline_access profile email phone address',
    ...extra,
  };
}

// The FAPI 2.0 clients: code flow only, private_key_jwt with the client's key, ID tokens signed
// with the same algorithm, access tokens bound with DPoP.
function fapi2Clients() {
  // Native (the default of client()): a loopback redirect URI on any port, for `oidckit login`.
  return Object.entries(fapi2Keys).map(([id, key]) => client(id, {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: key.pub.alg,
    id_token_signed_response_alg: key.pub.alg,
    // JARM responses (with INTEROP_JARM=1) too; the default would be RS256.
    ...(process.env.INTEROP_JARM === '1' ? { authorization_signed_response_alg: FAPI2_JARM_ALG ?? key.pub.alg } : {}),
    jwks: { keys: [key.pub] },
    require_pushed_authorization_requests: true,
    dpop_bound_access_tokens: true,
  }));
}

function clients() {
  if (FAPI2) return fapi2Clients();
  const confidential = (id, extra = {}) => client(id, { client_secret: `${id}-secret`, ...extra });
  return [
    confidential('interop-basic', { token_endpoint_auth_method: 'client_secret_basic' }),
    confidential('interop-post', { token_endpoint_auth_method: 'client_secret_post' }),
    client('interop-public', { token_endpoint_auth_method: 'none' }),
    // One client per ID token signing algorithm.
    ...SIGNING_ALGS.map((alg) => confidential(`interop-${alg.toLowerCase()}`, { id_token_signed_response_alg: alg })),
    // A web application (code flow only, so an http loopback redirect URI is allowed). Unlike
    // native clients, it may sign in silently with prompt=none on an existing session.
    confidential('interop-web', {
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
    // Back-channel logout (OpenID Connect Back-Channel Logout 1.0), once a test names its URI.
    ...(backchannelUri ? [confidential('interop-backchannel', {
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      backchannel_logout_uri: backchannelUri,
      backchannel_logout_session_required: true,
    })] : []),
    // Signed (application/jwt) UserInfo responses.
    confidential('interop-jwt-userinfo', { userinfo_signed_response_alg: 'RS256' }),
    // HS256-signed ID tokens (key: the client secret, which must be long enough).
    confidential('interop-hs256', {
      client_secret: 'interop-hs256-secret-that-is-long-enough-for-hmac-sha256',
      id_token_signed_response_alg: 'HS256',
    }),
    // Client authentication with JWT assertions (RFC 7523).
    confidential('interop-client-secret-jwt', {
      client_secret: 'interop-client-secret-jwt-secret-long-enough-for-hs256',
      token_endpoint_auth_method: 'client_secret_jwt',
    }),
    client('interop-private-key-jwt', {
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [clientKey.pub] },
    }),
    // Machine-to-machine and device flow.
    confidential('interop-m2m', {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      scope: 'api:read api:write',
    }),
    client('interop-device', {
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      post_logout_redirect_uris: [],
    }),
    ...encryptionClients(),
  ];
}

async function configuration() {
  return FAPI2 ? fapi2(await stockConfiguration()) : stockConfiguration();
}

// The FAPI 2.0 Security Profile provider: the stock configuration narrowed to what the profile
// allows, with oidc-provider's FAPI 2.0 behaviours on.
function fapi2(config) {
  const algs = () => [...FAPI2_ALGS];
  return {
    ...config,
    responseTypes: ['code'],
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      ...config.enabledJWA,
      idTokenSigningAlgValues: algs(),
      userinfoSigningAlgValues: algs(),
      introspectionSigningAlgValues: algs(),
      clientAuthSigningAlgValues: algs(),
      requestObjectSigningAlgValues: algs(),
      dPoPSigningAlgValues: algs(),
      authorizationSigningAlgValues: FAPI2_JARM_ALG ? [...algs(), FAPI2_JARM_ALG] : algs(),
    },
    features: {
      ...config.features,
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { ...config.features.dPoP, enabled: true },
      // Signed request objects, pushed (FAPI 2.0 checks their exp, nbf and aud).
      requestObjects: { request: true, requestUri: false },
    },
    pkce: { methods: ['S256'], required: () => true },
  };
}

async function stockConfiguration() {
  return {
    clients: clients(),
    jwks: { keys: [...await signingKeys(), ...await providerEncryptionKeys()] },
    // Only used to sign cookies; a fixed dev value is fine.
    cookies: { keys: ['interop-cookie-key-not-a-secret'] },
    responseTypes: [...ALL_RESPONSE_TYPES, 'none'],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'phone', 'address', 'api:read', 'api:write'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      address: ['address'],
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    // `client_secret_basic`, `client_secret_post`, `client_secret_jwt`, `private_key_jwt`, `none`.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      userinfoSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      introspectionSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      clientAuthSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      requestObjectSigningAlgValues: ['HS256', ...SIGNING_ALGS],
      ...(ENCRYPTION ? {
        idTokenEncryptionAlgValues: ENCRYPTION_ALGS,
        userinfoEncryptionAlgValues: ENCRYPTION_ALGS,
        requestObjectEncryptionAlgValues: ENCRYPTION_ALGS,
        idTokenEncryptionEncValues: ENCRYPTION_ENCS,
        userinfoEncryptionEncValues: ENCRYPTION_ENCS,
        requestObjectEncryptionEncValues: ENCRYPTION_ENCS,
        authorizationEncryptionAlgValues: ENCRYPTION_ALGS,
        authorizationEncryptionEncValues: ENCRYPTION_ENCS,
      } : {}),
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: process.env.INTEROP_REQUIRE_PAR === '1',
      },
      deviceFlow: { enabled: true },
      claimsParameter: { enabled: true },
      encryption: { enabled: ENCRYPTION },
      jwtResponseModes: { enabled: process.env.INTEROP_JARM === '1' || ENCRYPTION },
      dPoP: {
        enabled: process.env.INTEROP_DPOP === '1',
        nonceSecret: randomBytes(32),
        requireNonce: () => process.env.INTEROP_DPOP_NONCE === '1',
      },
      requestObjects: { request: process.env.INTEROP_JAR === '1' || ENCRYPTION, requestUri: false },
      registration: {
        enabled: process.env.INTEROP_REGISTRATION === '1',
        initialAccessToken: process.env.INTEROP_REGISTRATION_TOKEN || false,
      },
      registrationManagement: { enabled: process.env.INTEROP_REGISTRATION === '1' },
      // Resource indicators on by default in v8; without a resource the access token is for
      // UserInfo (opaque), which is what the tests want.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx, resource) => {
          // Any https resource: JWT access tokens with the requested api scopes.
          return { scope: 'api:read api:write', audience: resource, accessTokenFormat: 'jwt' };
        },
      },
    },
    // PKCE (S256 only) required for public clients, optional for confidential ones.
    pkce: {
      methods: ['S256'],
      required: (ctx, c) => c.clientAuthMethod === 'none',
    },
    // Refresh tokens for every code flow of a client that may use them, not only with offline_access.
    issueRefreshToken: async (ctx, c, code) => c.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
    // Refresh tokens rotate on every use (the default only rotates for public clients and old tokens).
    rotateRefreshToken: () => true,
    findAccount: async (ctx, id) => {
      if (id !== ACCOUNT_ID) return undefined;
      return {
        accountId: ACCOUNT_ID,
        async claims() {
          return structuredClone(ACCOUNT_CLAIMS);
        },
      };
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    // Errors as short plain text (the default is an HTML page).
    async renderError(ctx, out) {
      ctx.type = 'text';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  };
}

const STRICT_POST_CLIENTS = new Set(['interop-post']);

function basicClientId(credentials) {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const id = decoded.slice(0, Math.max(decoded.indexOf(':'), 0));
  try {
    return decodeURIComponent(id.replace(/\+/g, ' '));
  } catch {
    return id;
  }
}

async function buildProvider(issuer) {
  const provider = new Provider(issuer, await configuration());
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/interop/client-keys') {
      ctx.type = 'json';
      ctx.body = FAPI2
        ? Object.fromEntries(Object.entries(fapi2Keys).map(([id, key]) => [id, key.priv]))
        : {
          'interop-private-key-jwt': clientKey.priv,
          ...(encKeys ? { 'interop-enc-rsa': encKeys.rsa.priv, 'interop-enc-ec': encKeys.ec.priv } : {}),
        };
      return;
    }
    // oidc-provider treats client_secret_basic and client_secret_post as interchangeable. Make
    // the client registered for client_secret_post strict, so a test proves which one was sent.
    const basic = /^basic\s+(.+)$/i.exec(ctx.get('authorization'));
    if (ctx.method === 'POST' && basic && STRICT_POST_CLIENTS.has(basicClientId(basic[1]))) {
      ctx.status = 401;
      ctx.type = 'json';
      ctx.body = { error: 'invalid_client', error_description: 'this client must use client_secret_post' };
      return;
    }
    await next();
  });
  return provider;
}

const portArg = process.argv[2] ?? process.env.INTEROP_PORT ?? '0';
const port = Number.parseInt(portArg, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port ${JSON.stringify(portArg)}`);
  process.exit(2);
}

let handler = (req, res) => {
  res.statusCode = 503;
  res.end('starting');
};
const server = http.createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

handler = (await buildProvider(issuer)).callback();
process.stdout.write(`READY ${issuer}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const command = line.trim();
  if (command === 'ROTATE') {
    try {
      const provider = await buildProvider(issuer);
      handler = provider.callback();
      const res = await fetch(`${issuer}/jwks`);
      const { keys } = await res.json();
      process.stdout.write(`ROTATED ${keys.map((k) => k.kid).join(' ')}\n`);
    } catch (err) {
      console.error('rotation failed', err);
      process.stdout.write('ROTATE-FAILED\n');
    }
  } else if (command.startsWith('BACKCHANNEL ')) {
    try {
      backchannelUri = command.slice('BACKCHANNEL '.length).trim();
      handler = (await buildProvider(issuer)).callback();
      process.stdout.write('BACKCHANNEL-SET\n');
    } catch (err) {
      console.error('back-channel setup failed', err);
      process.stdout.write('BACKCHANNEL-FAILED\n');
    }
  } else if (command === 'STOP') {
    process.exit(0);
  } else if (command) {
    console.error(`unknown command ${JSON.stringify(command)}`);
  }
});
lines.on('close', () => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => process.exit(0));
}
