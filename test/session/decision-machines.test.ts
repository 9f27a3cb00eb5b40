/**
 * The request decision when only machine tokens are accepted: session cookies are refused
 * synchronously, never verified and never sent to Stytch, and their cookies are left alone.
 */
import { describe, expect, it } from 'vitest';
import { PolicyCache } from '../../src/rbac/policy-cache.js';
import { SessionAuthenticator } from '../../src/session/authenticator.js';
import { CircuitBreaker } from '../../src/session/circuit-breaker.js';
import { RequestDecider } from '../../src/session/decision.js';
import type { EntryMemo } from '../../src/session/decision.js';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { SessionMetrics } from '../../src/session/metrics.js';
import { SessionJwtVerifier } from '../../src/session/verify-jwt.js';

const OPAQUE = 'mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q';

function machineOnly() {
  let calls = 0;
  const now = () => Date.UTC(2030, 0, 1);
  const metrics = new SessionMetrics();
  const jwks = new JwksCache({ url: 'http://127.0.0.1:9/unused', now });
  const verifier = new SessionJwtVerifier({ jwks, projectId: 'project-test-1', issuers: ['stytch.com/project-test-1'], now, machineTokens: true });
  const sessions = {
    authenticate: () => {
      calls++;
      return Promise.reject(new Error('not called'));
    },
  };
  const core = new SessionAuthenticator<EntryMemo>({ verifier, sessions, now, metrics, breaker: new CircuitBreaker({ now }), acceptsSessions: false, machineKinds: new Set(['m2m']) });
  const policyCache = new PolicyCache({ fetchProjectPolicy: () => Promise.reject(new Error('unused')), fetchOrgPolicy: () => Promise.reject(new Error('unused')), now });
  const decider = new RequestDecider({ core, policyCache, cookieNames: { jwt: 'stytch_session_jwt', token: 'stytch_session' }, maxTokenBytes: 8192, metrics, logger: undefined, preload: false });
  return { decider, calls: () => calls, core };
}

describe('RequestDecider with acceptsToken: machines only', () => {
  it('refuses session cookies synchronously with token_type_not_accepted and keeps the cookies', () => {
    const { decider, calls } = machineOnly();
    const decision = decider.decide({ authorization: undefined, cookie: `stytch_session=${OPAQUE}` });
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision).toMatchObject({ auth: { status: 'signed_out', reason: 'token_type_not_accepted' }, cookies: { kind: 'none' } });
    expect(calls()).toBe(0);
  });

  it('refuses an opaque token at the core without a network call', async () => {
    const { core, calls } = machineOnly();
    expect(await core.authenticate('opaque', OPAQUE)).toEqual({ status: 'signed_out', reason: 'token_type_not_accepted' });
    expect(calls()).toBe(0);
  });
});
