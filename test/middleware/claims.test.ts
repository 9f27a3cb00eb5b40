/* eslint-disable @typescript-eslint/no-explicit-any -- token payloads and response bodies are arbitrary JSON here */
import { afterEach, describe, expect, it } from 'vitest';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../../src/client/types.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { payloadOf, resign, withClaims } from '../helpers/tokens.js';
import { get, newSession, startApp } from './support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
afterEach(() => {
  settleFaults(emu());
});
const nowSec = () => Math.floor(emu().clock.now() / 1000);

async function meWith(url: string, token: string) {
  emu().calls.clear();
  const res = await get(`${url}/me`, { cookie: `stytch_session_jwt=${token}` });
  return { ...res, calls: emu().calls.count(AUTHENTICATE) };
}

async function expectInvalid(url: string, token: string) {
  const res = await meWith(url, token);
  expect(res.body).toEqual({ status: 'signed_out', reason: 'invalid_token' });
  expect(res.calls).toBe(0);
  expect((await get(`${url}/private`, { bearer: token })).status).toBe(401);
}

describe('catalogue section 3: claims', () => {
  it.each([
    ['exp = now - 1', -1],
    ['exp = now', 0],
  ])('catalogue #20: %s is not accepted locally and triggers exactly one network refresh', async (_name, delta) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const token = withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec() + delta));
    const res = await meWith(app.url, token);
    expect(res.calls).toBe(1);
    expect(res.body).toMatchObject({ status: 'signed_in', verifiedBy: 'network', memberId: s.member_id });
  });

  it('catalogue #21: an exp within the clock tolerance is accepted locally, just outside it is not', async () => {
    const app = await startApp(emu(), { clockToleranceSeconds: 30 });
    const s = newSession(emu());
    const inside = await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec() - 29)));
    expect(inside).toMatchObject({ calls: 0, body: { verifiedBy: 'local_jwt' } });
    const outside = await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec() - 31)));
    expect(outside).toMatchObject({ calls: 1, body: { verifiedBy: 'network' } });
  });

  it('catalogue #22: nbf in the future beyond the tolerance gets 401 with no network call', async () => {
    const app = await startApp(emu(), { clockToleranceSeconds: 5 });
    const s = newSession(emu());
    // +8 rather than +6: the emulator clock keeps ticking in real time between minting and checking.
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.nbf = nowSec() + 8)));
  });

  it('catalogue #23: an iat far in the future is refused, never fresh forever', async () => {
    const app = await startApp(emu(), { maxTokenAgeSeconds: 60 });
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.iat = nowSec() + 10 * 365 * 86_400)));
  });

  it('catalogue #23: an iat missing while a max age is set is refused', async () => {
    const app = await startApp(emu(), { maxTokenAgeSeconds: 60 });
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void delete p.iat));
  });

  it('catalogue #23: max token age 0 checks every request over the network', async () => {
    const app = await startApp(emu(), { maxTokenAgeSeconds: 0 });
    const s = newSession(emu());
    expect(await meWith(app.url, s.session_jwt)).toMatchObject({ calls: 1, body: { status: 'signed_in', verifiedBy: 'network' } });
    expect(await meWith(app.url, s.session_jwt)).toMatchObject({ calls: 1, body: { status: 'signed_in' } });
  });

  it('catalogue #23: a JWT older than the max age is re-checked over the network, a younger one is not', async () => {
    const app = await startApp(emu(), { maxTokenAgeSeconds: 60 });
    const s = newSession(emu());
    expect(await meWith(app.url, s.session_jwt)).toMatchObject({ calls: 0, body: { verifiedBy: 'local_jwt' } });
    emu().clock.advance(61_000);
    expect(await meWith(app.url, s.session_jwt)).toMatchObject({ calls: 1, body: { status: 'signed_in', verifiedBy: 'network' } });
  });

  it('catalogue #23: a revoked session is noticed once its JWT is older than the max age', async () => {
    const app = await startApp(emu(), { maxTokenAgeSeconds: 30 });
    const s = newSession(emu());
    expect((await meWith(app.url, s.session_jwt)).body.status).toBe('signed_in');
    emu().admin.revokeSession({ member_session_id: s.session_id });
    emu().clock.advance(31_000);
    const res = await meWith(app.url, s.session_jwt);
    expect(res.body).toEqual({ status: 'signed_out', reason: 'session_not_found' });
  });

  it.each([['exp'], ['iat'], ['sub'], ['iss'], ['aud'], [SESSION_CLAIM], [ORGANIZATION_CLAIM]])('catalogue #24: a token without %s is refused', async (claim) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void delete p[claim]));
  });

  const badTimes: unknown[] = [true, false, null, '', ' ', 'invalid', '1700000000', [], ['foo'], {}, { foo: 'bar' }];
  for (const claim of ['exp', 'nbf', 'iat']) {
    it(`catalogue #25: bad types in ${claim} are refused`, async () => {
      const app = await startApp(emu());
      const s = newSession(emu());
      for (const value of badTimes) await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p[claim] = value)));
    });
  }

  it('catalogue #25: non-finite numbers cannot even be encoded in JSON, so they arrive as null and are refused', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.exp = Number.POSITIVE_INFINITY)));
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.iat = Number.NaN)));
  });

  it.each([
    ['another project', 'project-test-other'],
    ['an empty array', []],
    ['an object', { aud: 'x' }],
    ['only another project in an array', ['project-test-other']],
  ])('catalogue #26: aud as %s is refused', async (_name, aud) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.aud = aud)));
  });

  it('catalogue #26: aud missing is refused, aud as a string or an array containing the project is accepted', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void delete p.aud));
    expect((await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.aud = emu().projectId)))).body.status).toBe('signed_in');
    expect((await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.aud = ['project-test-other', emu().projectId])))).body.status).toBe('signed_in');
  });

  it.each([
    ['another project', () => 'stytch.com/project-test-other'],
    ['the base URL with a trailing slash', () => `${emu().url}/`],
    ['the base URL in upper case', () => emu().url.toUpperCase()],
    ['an array containing the right issuer', () => [`stytch.com/${emu().projectId}`]],
  ])('catalogue #27: iss as %s is refused', async (_name, iss) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.iss = iss())));
  });

  it('catalogue #27: both documented issuers are accepted', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    expect((await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.iss = `stytch.com/${emu().projectId}`)))).body.status).toBe('signed_in');
    expect((await meWith(app.url, withClaims(emu(), s.session_jwt, (p) => void (p.iss = emu().url)))).body.status).toBe('signed_in');
  });

  it.each([
    ['a top-level array', [1, 2]],
    ['a top-level string', 'hello'],
    ['a top-level number', 42],
  ])('catalogue #28: a payload that is %s is refused', async (_name, payload) => {
    const app = await startApp(emu());
    await expectInvalid(app.url, resign(emu(), payload as never));
  });

  it('catalogue #28: __proto__ keys are refused and pollute nothing', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    const payload = JSON.parse(JSON.stringify(payloadOf(s.session_jwt)).replace(/^\{/, '{"__proto__":{"polluted":"yes"},')) as Record<string, unknown>;
    await expectInvalid(app.url, resign(emu(), payload));
    const sessionPolluted = JSON.parse(JSON.stringify(payloadOf(s.session_jwt)).replace(`"${SESSION_CLAIM}":{`, `"${SESSION_CLAIM}":{"__proto__":{"polluted":"yes"},`));
    await expectInvalid(app.url, resign(emu(), sessionPolluted));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['the session claim not an object', (p: Record<string, any>) => void (p[SESSION_CLAIM] = 'x')],
    ['the session claim an array', (p: Record<string, any>) => void (p[SESSION_CLAIM] = [])],
    ['the session id missing', (p: Record<string, any>) => void delete p[SESSION_CLAIM].id],
    ['roles not an array', (p: Record<string, any>) => void (p[SESSION_CLAIM].roles = 'stytch_admin')],
    ['roles holding a non-string', (p: Record<string, any>) => void (p[SESSION_CLAIM].roles = ['stytch_member', 7])],
    ['roles missing', (p: Record<string, any>) => void delete p[SESSION_CLAIM].roles],
    ['authentication_factors not an array', (p: Record<string, any>) => void (p[SESSION_CLAIM].authentication_factors = {})],
    ['expires_at not a date', (p: Record<string, any>) => void (p[SESSION_CLAIM].expires_at = 'tomorrow')],
    ['started_at missing', (p: Record<string, any>) => void delete p[SESSION_CLAIM].started_at],
    ['the org claim not an object', (p: Record<string, any>) => void (p[ORGANIZATION_CLAIM] = null)],
    ['organization_id not a string', (p: Record<string, any>) => void (p[ORGANIZATION_CLAIM].organization_id = 12)],
    ['the org slug missing', (p: Record<string, any>) => void delete p[ORGANIZATION_CLAIM].slug],
  ])('catalogue #29: %s is refused by schema validation, never a 500 or a network fallback', async (_name, change) => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, change));
  });

  it('catalogue #29: a malformed claim on an expired token is still refused without a network call', async () => {
    const app = await startApp(emu());
    const s = newSession(emu());
    await expectInvalid(app.url, withClaims(emu(), s.session_jwt, (p) => {
      p.exp = nowSec() - 60;
      p[SESSION_CLAIM].roles = 'stytch_admin';
    }));
  });

  it('catalogue #30: the inner expires_at earlier than exp ends the session at the earlier time', async () => {
    const app = await startApp(emu());
    const s = newSession(emu(), { session_duration_minutes: 5 });
    emu().clock.advance(4 * 60_000);
    // A JWT whose exp (now + 5 min) outlives its session (ends in 1 min).
    const token = withClaims(emu(), s.session_jwt, (p) => {
      p.iat = nowSec();
      p.exp = nowSec() + 300;
    });
    expect(await meWith(app.url, token)).toMatchObject({ calls: 0, body: { status: 'signed_in' } });
    emu().clock.advance(2 * 60_000);
    const res = await meWith(app.url, token);
    expect(res.body).toEqual({ status: 'signed_out', reason: 'expired_session' });
    expect(res.calls).toBe(1);
    expect(res.setCookies.some((line) => line.startsWith('stytch_session_jwt=;'))).toBe(true);
  });
});
