import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { assemble, flipBit, forgedKeyPair, headerOf, mintAlgNone, mintForged, mintHs256, payloadOf, resign } from '../helpers/tokens.js';
import { get, newSession, onCleanup, startApp } from './support.js';
import { listenOnLoopback } from '../helpers/listen.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});

/** Asserts the uniform rejection: 401, generic body, no session upstream call. */
async function expectRejected(url: string, token: string): Promise<void> {
  emu().calls.clear();
  const res = await get(`${url}/private`, { bearer: token });
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: 'unauthenticated', message: 'Authentication required.' } });
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  const me = await get(`${url}/me`, { bearer: token });
  expect(me.body.status).toBe('signed_out');
  expect(['invalid_token', 'malformed_credentials']).toContain(me.body.reason);
}

async function publishedKeyForms(): Promise<[string, Buffer | string][]> {
  const res = await fetch(emu().jwksUrl);
  const text = await res.text();
  const jwks = JSON.parse(text) as { keys: Record<string, string>[] };
  const jwk = jwks.keys[0]!;
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const pem = key.export({ type: 'spki', format: 'pem' }) as string;
  return [
    ['PEM', pem],
    ['PEM with leading whitespace', `  \n${pem}`],
    ['PEM with a junk prefix', `junk${pem}`],
    ['PKCS#1 PEM', key.export({ type: 'pkcs1', format: 'pem' })],
    ['DER', key.export({ type: 'spki', format: 'der' })],
    ['the JWK n bytes', Buffer.from(jwk.n!, 'base64url')],
    ['the JWKS JSON text', text],
  ];
}

describe('catalogue section 2: algorithm, header and key-selection attacks', () => {
  it('catalogue #9: HS256 signed with the published public key in any encoding is refused', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    for (const [, secret] of await publishedKeyForms()) {
      await expectRejected(app.url, mintHs256({ kid: headerOf(s.session_jwt).kid }, payloadOf(s.session_jwt), secret));
    }
  });

  it.each([['none'], ['None'], ['NONE'], ['']])('catalogue #10: alg %j is refused with an empty and a non-empty signature', async (alg) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, mintAlgNone(alg, payloadOf(s.session_jwt), 'AAAA'));
    const res = await get(`${app.url}/private`, { bearer: mintAlgNone(alg, payloadOf(s.session_jwt)) });
    expect(res.status).toBe(401);
  });

  it.each([['PS256'], ['RS384'], ['RS512']] as const)('catalogue #11: %s on a token naming the real kid is refused', async (alg) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, mintForged({ kid: headerOf(s.session_jwt).kid }, payloadOf(s.session_jwt), alg));
    await expectRejected(app.url, resign(emu(), payloadOf(s.session_jwt), { alg }));
  });

  it.each([[7], [['RS256']], [{ a: 1 }], ['__proto__'], ['constructor'], [null]])('catalogue #12: alg %j (not RS256) is refused without an exception', async (alg) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, resign(emu(), payloadOf(s.session_jwt), { alg }));
  });

  it('catalogue #13: key material in the header is never used and no other host is contacted', async () => {
    let attackerHits = 0;
    const attacker = createServer((_req, res) => {
      attackerHits++;
      res.end('{}');
    });
    await listenOnLoopback(attacker);
    onCleanup(() => new Promise((resolve) => attacker.close(() => resolve())));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks`;
    const app = await startApp(emu());
    const s = newSession(emu());
    const payload = payloadOf(s.session_jwt);
    const jwk = forgedKeyPair().publicKey.export({ format: 'jwk' });
    const variants = [
      { jwk },
      { jku: attackerUrl, kid: 'attacker' },
      { x5u: attackerUrl, kid: 'attacker' },
      { x5c: ['MIIB'], kid: 'attacker' },
      { jwk, kid: headerOf(s.session_jwt).kid },
    ];
    for (const header of variants) await expectRejected(app.url, mintForged(header, payload));
    // Even correctly signed tokens carrying these parameters are refused.
    await expectRejected(app.url, resign(emu(), payload, { jku: attackerUrl }));
    expect(attackerHits).toBe(0);
    expect(emu().calls.list().every((call) => call.path.startsWith('/v1/b2b/sessions/jwks/'))).toBe(true);
  });

  it.each([
    ['an unknown kid', 'no-such-kid'],
    ['a path-traversal kid', '../../../etc/passwd'],
    ['an SQL-looking kid', "' OR '1'='1"],
    ['a 10 KB kid', 'k'.repeat(5_000)],
    ['a numeric kid', 0],
    ['a null kid', null],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
  ])('catalogue #14: %s is refused without a crash', async (_name, kid) => {
    const app = await startApp(emu(), { maxTokenBytes: 16_000 });
    const s = newSession(emu());
    await expectRejected(app.url, mintForged({ kid }, payloadOf(s.session_jwt)));
    expect(emu().calls.count(/jwks/)).toBeLessThanOrEqual(1);
  });

  it.each([
    ['crit ["exp"]', { crit: ['exp'] }],
    ['crit ["x-ext"] with x-ext present', { crit: ['x-ext'], 'x-ext': 1 }],
    ['an empty crit', { crit: [] }],
    ['a non-array crit', { crit: 'exp' }],
    ['b64 false without crit', { b64: false }],
    ['b64 false with crit', { b64: false, crit: ['b64'] }],
    ['b64 true with crit', { b64: true, crit: ['b64'] }],
  ])('catalogue #16: %s is refused', async (_name, header) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, resign(emu(), payloadOf(s.session_jwt), header));
  });

  it.each([
    ['missing', { typ: undefined }],
    ['at+jwt', { typ: 'at+jwt' }],
    ['logout+jwt', { typ: 'logout+jwt' }],
    ['JWE', { typ: 'JWE' }],
  ])('catalogue #17: typ %s is refused', async (_name, header) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, resign(emu(), payloadOf(s.session_jwt), header));
  });

  it('catalogue #17: typ JWT in another case is accepted', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    expect((await get(`${app.url}/private`, { bearer: resign(emu(), payloadOf(s.session_jwt), { typ: 'jwt' }) })).status).toBe(200);
  });

  it('catalogue #18: tampered and forged tokens all get the same 401 and no upstream call', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const kid = headerOf(s.session_jwt).kid as string;
    const expired = { ...payloadOf(s.session_jwt), exp: Math.floor(emu().clock.now() / 1000) - 60 };
    const tampered = [
      flipBit(s.session_jwt, 1),
      flipBit(s.session_jwt, 2),
      s.session_jwt.slice(0, -10),
      mintForged({ kid }, payloadOf(s.session_jwt)),
      mintForged({ kid }, expired),
    ];
    for (const token of tampered) await expectRejected(app.url, token);
  });

  it('catalogue #18: a forged expired token is "invalid", never "expired", and never goes to the network', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const expired = { ...payloadOf(s.session_jwt), exp: Math.floor(emu().clock.now() / 1000) - 60 };
    emu().calls.clear();
    const res = await get(`${app.url}/me`, { bearer: mintForged({ kid: headerOf(s.session_jwt).kid }, expired) });
    expect(res.body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #19: a revoked session stays rejected when its JWT is re-sent with non-canonical base64url', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    emu().admin.revokeSession({ member_session_id: s.session_id });
    emu().clock.advance(6 * 60_000);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${s.session_jwt}` })).status).toBe(401);
    const parts = s.session_jwt.split('.');
    const sig = parts[2]!;
    // Changing the unused low bits of the last base64url character decodes to the same bytes.
    const last = sig.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variant = alphabet[alphabet.indexOf(last) ^ 1]!;
    const noncanonical = `${parts[0]}.${parts[1]}.${sig.slice(0, -1)}${variant}`;
    emu().calls.clear();
    expect((await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${noncanonical}` })).status).toBe(401);
    expect((await get(`${app.url}/private`, { cookie: `stytch_session_jwt=${s.session_jwt}=` })).status).toBe(401);
    expect(emu().calls.count(AUTHENTICATE)).toBe(0);
  });

  it('catalogue #15: a token without kid is refused while the JWKS holds two keys', async () => {
    emu().admin.rotateKeys({ keepOld: true });
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, resign(emu(), payloadOf(s.session_jwt), { kid: undefined }));
    // the same payload with its kid is fine: the keys themselves work
    expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(200);
  });

  it('a token signed by a key that was never published is refused after at most one JWKS refetch', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectRejected(app.url, assemble({ alg: 'RS256', typ: 'JWT', kid: 'k-unknown' }, payloadOf(s.session_jwt), 'AAAA'));
  });
});
