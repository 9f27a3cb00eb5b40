/**
 * The request decision as a value: header strings in, { auth, credential, cookies } out, with no
 * HTTP server and no `req` (the Stytch client is the dependency, scripted here; the decision is
 * the thing under test).
 */
import { describe, expect, it } from 'vitest';
import { PolicyCache } from '../../src/rbac/policy-cache.js';
import { SessionAuthenticator } from '../../src/session/authenticator.js';
import type { SessionsAuthenticateApi } from '../../src/session/authenticator.js';
import { CircuitBreaker } from '../../src/session/circuit-breaker.js';
import { RequestDecider } from '../../src/session/decision.js';
import type { Decision, EntryMemo } from '../../src/session/decision.js';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { SessionMetrics } from '../../src/session/metrics.js';
import { SessionJwtVerifier } from '../../src/session/verify-jwt.js';

const NOW = Date.UTC(2030, 0, 1);
const OPAQUE = 'mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q';
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

function decider(answer: () => Promise<unknown>): { decider: RequestDecider; calls: () => number; metrics: SessionMetrics } {
  let calls = 0;
  const sessions: SessionsAuthenticateApi = {
    authenticate: () => {
      calls++;
      return answer() as ReturnType<SessionsAuthenticateApi['authenticate']>;
    },
  };
  const now = () => NOW;
  const metrics = new SessionMetrics();
  const jwks = new JwksCache({ url: 'http://127.0.0.1:9/unused', now });
  const verifier = new SessionJwtVerifier({ jwks, projectId: 'project-test-1', issuers: ['stytch.com/project-test-1'], now });
  const core = new SessionAuthenticator<EntryMemo>({ verifier, sessions, now, metrics, breaker: new CircuitBreaker({ now }) });
  const policyCache = new PolicyCache({ fetchProjectPolicy: () => Promise.reject(new Error('unused')), fetchOrgPolicy: () => Promise.reject(new Error('unused')), now });
  return {
    decider: new RequestDecider({ core, policyCache, cookieNames: { jwt: 'stytch_session_jwt', token: 'stytch_session' }, maxTokenBytes: 8192, metrics, logger: undefined, preload: false }),
    calls: () => calls,
    metrics,
  };
}

const settle = (d: Decision | Promise<Decision>): Promise<Decision> => Promise.resolve(d);
const fresh = { member_session: memberSession, session_token: OPAQUE, session_jwt: '' };

describe('RequestDecider: one request, one decision', () => {
  it('no credential: signed out with no cookie effect, decided synchronously', () => {
    const { decider: d } = decider(() => Promise.reject(new Error('not called')));
    const decision = d.decide({ authorization: undefined, cookie: 'theme=dark' });
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision).toMatchObject({ auth: { status: 'signed_out', reason: 'no_credentials' }, credential: undefined, cookies: { kind: 'none' } });
  });

  it('a cookie name sent twice with different values: signed out and both session cookies cleared', () => {
    const { decider: d, calls } = decider(() => Promise.resolve(fresh));
    const decision = d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}; stytch_session=${OPAQUE.replace('m', 'n')}` });
    expect(decision).toMatchObject({ auth: { status: 'signed_out', reason: 'duplicate_credentials' }, cookies: { kind: 'clear' } });
    expect(calls()).toBe(0);
  });

  it('a cookie whose value is literally "duplicate" is a (malformed) credential, not a conflict', async () => {
    const { decider: d } = decider(() => Promise.resolve(fresh));
    const decision = await settle(d.decide({ authorization: undefined, cookie: 'stytch_session_jwt=duplicate' }));
    expect(decision.auth).toMatchObject({ status: 'signed_out', reason: 'malformed_credentials' });
  });

  it('a malformed bearer is signed out without touching cookies (the bearer is the client\'s business)', () => {
    const { decider: d } = decider(() => Promise.resolve(fresh));
    expect(d.decide({ authorization: 'Bearer a b', cookie: `stytch_session=${OPAQUE}` })).toMatchObject({
      auth: { status: 'signed_out', reason: 'malformed_credentials' },
      cookies: { kind: 'none' },
    });
  });

  it('an opaque cookie: the network decides, the fresh credentials become a "set" cookie effect, and the next request is a synchronous hit', async () => {
    const { decider: d, calls } = decider(() => Promise.resolve(fresh));
    const first = await settle(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` }));
    expect(first.auth).toMatchObject({ status: 'signed_in', memberId: 'member-test-1', verifiedBy: 'network', credential: 'session_cookie' });
    expect(first.credential).toEqual({ source: 'session_cookie', kind: 'opaque', value: OPAQUE });
    expect(first.cookies).toMatchObject({ kind: 'set', session: { session_token: OPAQUE } });
    const second = d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` });
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ auth: { status: 'signed_in', verifiedBy: 'cache' }, cookies: { kind: 'none' } });
    // Built once per token and source: the same value answers every later request.
    expect(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` })).toBe(second);
    expect(calls()).toBe(1);
  });

  it('the same opaque token as a bearer gets its own decision, and a bearer is never sent cookies', async () => {
    const { decider: d } = decider(() => Promise.resolve(fresh));
    await settle(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` }));
    // A bearer is read as a JWT: an opaque value there is malformed, never the cookie's cached answer.
    const bearer = await settle(d.decide({ authorization: `Bearer ${OPAQUE}`, cookie: undefined }));
    expect(bearer.auth).toMatchObject({ status: 'signed_out', reason: 'malformed_credentials' });
    expect(bearer.cookies.kind).toBe('none');
  });

  it('Stytch unreachable: undecided, with the credential kept and no cookie effect (nobody is signed out)', async () => {
    const { decider: d } = decider(() => Promise.reject(new Error('socket hang up')));
    const decision = await settle(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` }));
    expect(decision).toMatchObject({ auth: { status: 'undecided', reason: 'upstream_unavailable' }, cookies: { kind: 'none' } });
    expect(decision.credential?.value).toBe(OPAQUE);
  });

  it('Stytch says the session is gone: signed out and the cookies are cleared', async () => {
    const { StytchApiError } = await import('../../src/errors.js');
    const { decider: d, metrics } = decider(() => Promise.reject(new StytchApiError({ status: 404, errorType: 'session_not_found', errorMessage: 'gone' })));
    const decision = await settle(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` }));
    expect(decision).toMatchObject({ auth: { status: 'signed_out', reason: 'session_not_found' }, cookies: { kind: 'clear' } });
    expect(metrics.snapshot('closed', 0).rejections).toMatchObject({ session_not_found: 1 });
  });

  it('never rejects: a failure inside the core becomes an undecided decision', async () => {
    const { decider: d } = decider(() => {
      throw new TypeError('boom');
    });
    const decision = await settle(d.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` }));
    expect(decision.auth.status).toBe('undecided');
  });
});
