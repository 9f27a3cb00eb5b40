/**
 * The session core with a scripted `sessions.authenticate` (the Stytch client is the dependency,
 * not the thing under test): malformed upstream successes (catalogue #51) and single-flight.
 */
import { describe, expect, it } from 'vitest';
import { SessionAuthenticator } from '../../src/session/authenticator.js';
import type { SessionsAuthenticateApi } from '../../src/session/authenticator.js';
import { CircuitBreaker } from '../../src/session/circuit-breaker.js';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { SessionMetrics } from '../../src/session/metrics.js';
import { SessionJwtVerifier } from '../../src/session/verify-jwt.js';

const NOW = Date.UTC(2030, 0, 1);
const memberSession = {
  member_session_id: 'session-test-1',
  member_id: 'member-test-1',
  organization_id: 'organization-test-1',
  organization_slug: 'acme',
  started_at: new Date(NOW - 60_000).toISOString(),
  last_accessed_at: new Date(NOW).toISOString(),
  expires_at: new Date(NOW + 3_600_000).toISOString(),
  authentication_factors: [{ type: 'magic_link', delivery_method: 'email', last_authenticated_at: new Date(NOW).toISOString() }],
  roles: ['stytch_member'],
};

function core(answer: () => Promise<unknown>): { core: SessionAuthenticator; calls: () => number } {
  let calls = 0;
  const sessions: SessionsAuthenticateApi = {
    authenticate: () => {
      calls++;
      return answer() as ReturnType<SessionsAuthenticateApi['authenticate']>;
    },
  };
  const now = () => NOW;
  const jwks = new JwksCache({ url: 'http://127.0.0.1:9/unused', now });
  const verifier = new SessionJwtVerifier({ jwks, projectId: 'project-test-1', issuers: ['stytch.com/project-test-1'], now });
  return {
    core: new SessionAuthenticator({ verifier, sessions, now, metrics: new SessionMetrics(), breaker: new CircuitBreaker({ now }) }),
    calls: () => calls,
  };
}

const OPAQUE = 'mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q';

describe('SessionAuthenticator network path', () => {
  it.each([
    ['member_session missing', {}],
    ['member_session null', { member_session: null }],
    ['roles not an array', { member_session: { ...memberSession, roles: 'stytch_admin' } }],
    ['expires_at not a date', { member_session: { ...memberSession, expires_at: 'soon' } }],
    ['member_id missing', { member_session: { ...memberSession, member_id: undefined } }],
  ])('catalogue #51: a 200 with %s is never authenticated', async (_name, body) => {
    const { core: c } = core(() => Promise.resolve(body));
    const outcome = await c.authenticate('opaque', OPAQUE);
    expect(outcome).toMatchObject({ status: 'undecided', reason: 'upstream_unavailable' });
    if (outcome.status === 'undecided') expect(outcome.error.code).toBe('upstream_bad_response');
  });

  it('a good answer signs in and is reused from the verified cache', async () => {
    const { core: c, calls } = core(() => Promise.resolve({ member_session: memberSession, session_token: OPAQUE, session_jwt: '' }));
    expect((await c.authenticate('opaque', OPAQUE)).status).toBe('signed_in');
    expect(c.lookup('opaque', OPAQUE)?.identity.memberId).toBe('member-test-1');
    expect(calls()).toBe(1);
  });

  it('the verified cache answers only for exactly the same credential', async () => {
    const { core: c } = core(() => Promise.resolve({ member_session: memberSession, session_token: OPAQUE, session_jwt: '' }));
    await c.authenticate('opaque', OPAQUE);
    expect(c.lookup('opaque', OPAQUE)).toBeDefined();
    // Same tail (the cache bucket), another start; another case; the same string as a JWT.
    expect(c.lookup('opaque', `x${OPAQUE.slice(1)}`)).toBeUndefined();
    expect(c.lookup('opaque', OPAQUE.toUpperCase())).toBeUndefined();
    expect(c.lookup('opaque', `${OPAQUE}A`)).toBeUndefined();
    expect(c.lookup('jwt', OPAQUE)).toBeUndefined();
  });

  it('a credential the middleware would refuse as malformed is never cached, even when Stytch accepts it', async () => {
    const odd = `${OPAQUE}!`;
    const { core: c, calls } = core(() => Promise.resolve({ member_session: memberSession, session_token: OPAQUE, session_jwt: '' }));
    expect((await c.authenticate('opaque', odd)).status).toBe('signed_in');
    expect(c.lookup('opaque', odd)).toBeUndefined();
    expect(calls()).toBe(1);
  });

  it('concurrent checks of one token share one upstream call', async () => {
    let release: (value: unknown) => void = () => {};
    const gate = new Promise((resolve) => (release = resolve));
    const { core: c, calls } = core(async () => {
      await gate;
      return { member_session: memberSession, session_token: OPAQUE, session_jwt: '' };
    });
    const pending = Promise.all(Array.from({ length: 20 }, () => c.authenticate('opaque', OPAQUE)));
    release(undefined);
    const outcomes = await pending;
    expect(outcomes.every((o) => o.status === 'signed_in')).toBe(true);
    expect(calls()).toBe(1);
  });

  it('an unexpected exception from the client is undecided, never signed in', async () => {
    const { core: c } = core(() => Promise.reject(new TypeError('boom')));
    expect(await c.authenticate('opaque', OPAQUE)).toMatchObject({ status: 'undecided' });
  });
});
