import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { basicAuth, useEmulator } from '../helpers/emulator.js';
import type { ApiResponse } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, loggedInMember, newOrg } from './support.js';

const emu = useEmulator();
const UNKNOWN_ORG = 'organization-test-00000000-0000-4000-8000-000000000000';
const UNKNOWN_MEMBER = 'member-test-00000000-0000-4000-8000-000000000000';

/** A 4xx Stytch-shaped answer with the status we expect (or any 4xx when `status` is omitted). */
function expect4xx(res: ApiResponse, status?: number, errorType?: string | string[]) {
  if (status === undefined) {
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text).toBeLessThan(500);
  }
  return expectStytchError(res, status ?? res.status, errorType);
}

describe('credentials', () => {
  it('refuses a missing Authorization header with 401 unauthorized_credentials', async () => {
    expect4xx(await callApi(emu(), 'GET', '/v1/b2b/rbac/policy', undefined, { auth: false }), 401, 'unauthorized_credentials');
  });

  it('refuses a wrong secret, a wrong project id, a Bearer header and garbage', async () => {
    const e = emu();
    for (const auth of [
      basicAuth({ projectId: e.projectId, secret: `${e.secret}x` }),
      basicAuth({ projectId: 'project-test-00000000-0000-4000-8000-000000000000', secret: e.secret }),
      `Bearer ${e.secret}`,
      'Basic !!!not-base64!!!',
      'Basic ' + Buffer.from('no-colon').toString('base64'),
    ]) {
      expect4xx(await callApi(e, 'GET', '/v1/b2b/rbac/policy', undefined, { auth }), 401, 'unauthorized_credentials');
    }
  });

  it('never echoes the secret in an error', async () => {
    const e = emu();
    const res = await callApi(e, 'GET', '/v1/b2b/rbac/policy', undefined, { auth: basicAuth({ projectId: e.projectId, secret: 'wrong-secret-value' }) });
    expect(res.text).not.toContain('wrong-secret-value');
    expect(res.text).not.toContain(e.secret);
  });
});

describe('malformed requests', () => {
  it('answers invalid JSON with a 400', async () => {
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', '{"session_token": '), 400);
  });

  it('answers a JSON body that is not an object with a 400', async () => {
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', '[1,2,3]'), 400);
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', 'null'), 400);
  });

  it('answers missing required fields with a 400', async () => {
    const e = emu();
    expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', {}), 400);
    expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', {}), 400);
    expect4xx(await callApi(e, 'POST', '/v1/b2b/discovery/intermediate_sessions/exchange', {}), 400);
  });

  it('answers wrong field types with a 400', async () => {
    const e = emu();
    const org = newOrg(e);
    expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: org.organization_id, email_address: 42 }), 400);
    expect4xx(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: { $ne: null } }), 400);
    expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: org.organization_id, email_address: 'not-an-email' }), 400);
  });

  it('asks for exactly one of session_token and session_jwt', async () => {
    const { sessionToken, sessionJwt } = await loggedInMember(emu());
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', {}), 400, 'no_session_arguments');
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken, session_jwt: sessionJwt }), 400, 'too_many_session_arguments');
  });

  it('validates session_duration_minutes against 5..527040', async () => {
    const { sessionToken } = await loggedInMember(emu());
    for (const minutes of [0, 4, 527041, -1, 'sixty']) {
      expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken, session_duration_minutes: minutes }), 400);
    }
  });

  it('ignores unknown body fields, as newer SDKs send them', async () => {
    const { sessionToken } = await loggedInMember(emu());
    expectOk(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken, telemetry_id: 't', some_future_field: true }));
  });

  it('answers a body over 1 MiB with 413 or 400, without dropping the connection', async () => {
    const e = emu();
    const big = JSON.stringify({ session_token: 'x', padding: 'a'.repeat(1024 * 1024 + 10) });
    const res = await request(`${e.url}/v1/b2b/sessions/authenticate`, {
      method: 'POST',
      headers: { authorization: basicAuth(e), 'content-type': 'application/json' },
      body: big,
    });
    const text = await res.body.text();
    expect([400, 413]).toContain(res.statusCode);
    const body = JSON.parse(text);
    expect(body.status_code).toBe(res.statusCode);
    expect(body.error_type).toBeTypeOf('string');
    expect(body.request_id).toMatch(/^request-id-test-/u);
  });
});

describe('unknown things', () => {
  it('answers an unknown route with a Stytch-shaped 404', async () => {
    expect4xx(await callApi(emu(), 'GET', '/v1/b2b/definitely/not/a/route'), 404);
    expect4xx(await callApi(emu(), 'POST', '/nothing-here', {}), 404);
  });

  it('answers a wrong method on a known path with a 4xx JSON error', async () => {
    const res = await callApi(emu(), 'DELETE', '/v1/b2b/sessions/authenticate', {});
    expect(res.status).toBe(404); // as Stytch: an unknown method on a known path is an unknown route
    expectStytchError(res, res.status);
  });

  it('answers unknown organization and member ids with 404 *_not_found', async () => {
    const e = emu();
    expect4xx(await callApi(e, 'GET', `/v1/b2b/organizations/${UNKNOWN_ORG}`), 404, 'organization_not_found');
    expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/email/login_or_signup', { organization_id: UNKNOWN_ORG, email_address: 'a@example.com' }), 404, 'organization_not_found');
    const org = newOrg(e);
    expect4xx(await callApi(e, 'GET', `/v1/b2b/organizations/${org.organization_id}/member?member_id=${UNKNOWN_MEMBER}`), 404, 'member_not_found');
    expect4xx(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${UNKNOWN_ORG}`), 404, 'organization_not_found');
  });

  it('answers an unknown session token with 404 session_not_found', async () => {
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: 'A'.repeat(44) }), 404, 'session_not_found');
  });

  it('answers a JWT that is not a JWT with a 4xx, never a 500', async () => {
    for (const jwt of ['not.a.jwt', 'a', 'eyJhbGciOiJub25lIn0.e30.', '....']) {
      expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: jwt }));
    }
  });

  it('answers an unknown project id on the JWKS path with a 4xx', async () => {
    expect4xx(await callApi(emu(), 'GET', '/v1/b2b/sessions/jwks/project-test-00000000-0000-4000-8000-000000000000', undefined, { auth: false }));
  });
});

describe('success bodies', () => {
  it('carry request_id and status_code 200 and a JSON content type', async () => {
    const res = await callApi(emu(), 'GET', '/v1/b2b/rbac/policy');
    expectOk(res);
    expect(res.headers.get('content-type')).toMatch(/application\/json/u);
  });
});
