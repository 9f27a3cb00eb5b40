import { afterEach, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, loggedInMember } from './support.js';

const emu = useEmulator();
const AUTH = 'POST /v1/b2b/sessions/authenticate';

afterEach(() => {
  emu().faults.clear();
});

describe('scripted faults', () => {
  it('answers the scripted status once with a Stytch error body, then behaves again', async () => {
    const e = emu();
    const { sessionToken } = await loggedInMember(e);
    e.faults.next(AUTH, { status: 503, errorType: 'service_unavailable' });
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken }), 503, 'service_unavailable');
    expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken }));
  });

  it('repeats a fault `times` times and only on the named endpoint', async () => {
    const e = emu();
    const { sessionToken } = await loggedInMember(e);
    e.faults.next(AUTH, { status: 500 }, 2);
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
    expect((await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken })).status).toBe(500);
    expect((await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken })).status).toBe(500);
    expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken }));
  });

  it('sends Retry-After with a scripted 429', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 7 });
    const res = await callApi(e, 'GET', '/v1/b2b/rbac/policy');
    expectStytchError(res, 429, 'too_many_requests');
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('matches the "*" endpoint and JWKS wildcard paths', async () => {
    const e = emu();
    e.faults.next('*', { status: 502 });
    expect((await callApi(e, 'GET', '/v1/b2b/rbac/policy')).status).toBe(502);
    e.faults.next('GET /v1/b2b/sessions/jwks/*', { status: 500 });
    expect((await callApi(e, 'GET', `/v1/b2b/sessions/jwks/${e.projectId}`, undefined, { auth: false })).status).toBe(500);
    expectOk(await callApi(e, 'GET', `/v1/b2b/sessions/jwks/${e.projectId}`, undefined, { auth: false }));
  });

  it('delays a response by delayMs', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { delayMs: 300 });
    const started = performance.now();
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('answers a body that is not JSON when malformed', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { malformed: true });
    const res = await fetch(`${e.url}/v1/b2b/rbac/policy`, { headers: { authorization: basic() } });
    const text = await res.text();
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('drops the connection before headers', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { drop: 'before_headers' });
    await expect(fetch(`${e.url}/v1/b2b/rbac/policy`, { headers: { authorization: basic() } })).rejects.toThrow();
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
  });

  it('drops the connection in the middle of the body', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { drop: 'mid_body' });
    await expect(fetch(`${e.url}/v1/b2b/rbac/policy`, { headers: { authorization: basic() } }).then((r) => r.text())).rejects.toThrow();
  });

  it('hangs until the client gives up, without blocking other requests', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { hang: true });
    const hung = fetch(`${e.url}/v1/b2b/rbac/policy`, { headers: { authorization: basic() }, signal: AbortSignal.timeout(300) });
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
    await expect(hung).rejects.toThrow();
  });

  it('still closes while a request hangs or a client keeps a connection alive', async () => {
    const { startEmulator } = await import('../../src/emulator/index.js');
    const own = await startEmulator({ quiet: true });
    own.faults.next('GET /v1/b2b/rbac/policy', { hang: true });
    const auth = 'Basic ' + Buffer.from(`${own.projectId}:${own.secret}`).toString('base64');
    const hung = fetch(`${own.url}/v1/b2b/rbac/policy`, { headers: { authorization: auth } }).then(
      (r) => r.status,
      () => 'closed',
    );
    // A keep-alive connection that finished a request must not hold close() open either.
    expect((await fetch(`${own.url}/v1/b2b/sessions/jwks/${own.projectId}`)).status).toBe(200);
    await own.close();
    expect(await hung).toBe('closed');
  });

  it('forgets pending faults on clear()', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { status: 500 }, 5);
    e.faults.clear();
    expectOk(await callApi(e, 'GET', '/v1/b2b/rbac/policy'));
  });

  it('reports faults that no call met, and stops reporting one once a call met it', async () => {
    const e = emu();
    e.faults.next('GET /v1/b2b/rbac/policy', { status: 500 }, 3);
    e.faults.next('POST /v1/b2b/sessions/authenticate', { status: 503 });
    expect(e.faults.pending()).toEqual([
      { endpoint: 'GET /v1/b2b/rbac/policy', fault: { status: 500 }, times: 3 },
      { endpoint: 'POST /v1/b2b/sessions/authenticate', fault: { status: 503 }, times: 1 },
    ]);
    expect(() => e.faults.assertNoPending()).toThrow(/2 scripted fault\(s\) never met by a call: GET \/v1\/b2b\/rbac\/policy/);
    expect((await callApi(e, 'GET', '/v1/b2b/rbac/policy')).status).toBe(500);
    // Met once: an outage window of three calls is not "pending" any more.
    expect(e.faults.pending().map((p) => p.endpoint)).toEqual(['POST /v1/b2b/sessions/authenticate']);
    expect((await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: 'x' })).status).toBe(503);
    expect(e.faults.pending()).toEqual([]);
    expect(() => e.faults.assertNoPending()).not.toThrow();
    e.faults.clear();
  });

  function basic(): string {
    return 'Basic ' + Buffer.from(`${emu().projectId}:${emu().secret}`).toString('base64');
  }
});

describe('call log', () => {
  it('records API calls with method, path, endpoint without query, and status', async () => {
    const e = emu();
    const { sessionToken } = await loggedInMember(e);
    e.calls.clear();
    expectOk(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken }));
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: 'x'.repeat(44) }), 404, 'session_not_found');
    await callApi(e, 'GET', '/v1/b2b/sessions?organization_id=o&member_id=m');
    const list = e.calls.list();
    expect(list.map((c) => [c.endpoint, c.status]).slice(0, 2)).toEqual([
      [AUTH, 200],
      [AUTH, 404],
    ]);
    expect(list[0]).toMatchObject({ method: 'POST', path: '/v1/b2b/sessions/authenticate' });
    expect(list[2]?.endpoint).toBe('GET /v1/b2b/sessions');
    expect(list[0]!.at).toBeTypeOf('number');
    expect(e.calls.count(AUTH)).toBe(2);
    expect(e.calls.count(/sessions/u)).toBe(3);
    expect(e.calls.count()).toBe(3);
  });

  it('records a faulted call with the status it answered', async () => {
    const e = emu();
    e.calls.clear();
    e.faults.next('GET /v1/b2b/rbac/policy', { status: 503 });
    await callApi(e, 'GET', '/v1/b2b/rbac/policy');
    expect(e.calls.list()).toEqual([expect.objectContaining({ endpoint: 'GET /v1/b2b/rbac/policy', status: 503 })]);
  });

  it('does not record admin or control-plane calls', async () => {
    const e = emu();
    e.calls.clear();
    e.admin.createOrganization({ organization_name: 'Quiet', organization_slug: `quiet-${Date.now().toString(36)}` });
    expect((await callApi(e, 'GET', '/__emulator/calls')).status).toBe(200);
    expect(e.calls.count()).toBe(0);
  });
});
