import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { StytchB2BClient } from '../../src/client/index.js';
import { BadRequestError, StytchApiError, StytchUnavailableError } from '../../src/errors.js';
import { PROJECT_ID, SECRET, json, startScriptedServer } from './support.js';
import type { ScriptedServer } from './support.js';

let server: ScriptedServer;
let client: StytchB2BClient;

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await client?.close();
  await server.close();
});
beforeEach(async () => {
  await client?.close();
  server.received.length = 0;
  server.handle((_req, res) => json(res, 200, {}));
  client = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, timeoutMs: 2_000, retry: { baseDelayMs: 1 }, env: {} });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to reject');
}

describe('request format', () => {
  it('sends Basic auth, a JSON content type and a user agent', async () => {
    await client.sessions.authenticate({ session_token: 'tok' });
    const req = server.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/b2b/sessions/authenticate');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${PROJECT_ID}:${SECRET}`).toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^stytch-b2b-express\//);
    expect(JSON.parse(req.body)).toEqual({ session_token: 'tok' });
  });

  it('sends member-session headers from options.authorization', async () => {
    await client.organizations.update({ organization_id: 'org-1', organization_name: 'Acme' }, { authorization: { session_token: 'st', session_jwt: 'sj' } });
    const req = server.received[0]!;
    expect(req.headers['x-stytch-member-session']).toBe('st');
    expect(req.headers['x-stytch-member-sessionjwt']).toBe('sj');
    expect(req.method).toBe('PUT');
    expect(JSON.parse(req.body)).toEqual({ organization_name: 'Acme' });
  });

  it('puts GET parameters in the query string and sends no body', async () => {
    await client.sessions.get({ organization_id: 'org 1', member_id: 'm&1' });
    const req = server.received[0]!;
    expect(req.path).toBe('/v1/b2b/sessions?organization_id=org+1&member_id=m%261');
    expect(req.body).toBe('');
  });

  it('URL-encodes path parameters', async () => {
    await client.organizations.get({ organization_id: 'a/b?c#d' });
    expect(server.received[0]!.path).toBe('/v1/b2b/organizations/a%2Fb%3Fc%23d');
  });

  it('refuses an empty or dot path parameter without sending anything', async () => {
    for (const organization_id of ['', '..', '.']) {
      const error = await rejection(client.organizations.delete({ organization_id }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).code).toBe('invalid_path_parameter');
      expect((error as BadRequestError).status).toBe(400);
    }
    expect(server.received).toHaveLength(0);
  });

  it('rejects a missing request object with invalid_request instead of a TypeError', async () => {
    const members = client.organizations.members as unknown as { create(r: unknown): Promise<unknown> };
    await expect(members.create(undefined)).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    await expect(client.sessions.authenticate(null as never)).rejects.toMatchObject({ code: 'invalid_request', status: 400 });
    expect(server.received).toHaveLength(0);
  });

  it('sends an empty JSON object as the body of a DELETE', async () => {
    await client.organizations.delete({ organization_id: 'org-1' });
    expect(server.received[0]!.method).toBe('DELETE');
    expect(server.received[0]!.body).toBe('{}');
  });

  it('fetches the JWKS without Basic auth', async () => {
    server.handle((_req, res) => json(res, 200, { keys: [] }));
    const res = await client.sessions.getJWKS();
    expect(res.keys).toEqual([]);
    expect(server.received[0]!.path).toBe(`/v1/b2b/sessions/jwks/${PROJECT_ID}`);
    expect(server.received[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses a member-session header value with a line break', async () => {
    const error = await rejection(client.sessions.revoke({ member_id: 'm' }, { authorization: { session_token: 'a\r\nx-evil: 1' } }));
    expect((error as BadRequestError).code).toBe('invalid_authorization');
    expect(error.message).not.toContain('evil');
    expect(server.received).toHaveLength(0);
  });
});

describe('response handling', () => {
  it('returns a success body as-is, unknown fields included', async () => {
    server.handle((_req, res) => json(res, 200, { organization: { organization_id: 'o' }, brand_new_field: 42 }));
    const res = await client.organizations.get({ organization_id: 'o' });
    expect(res.brand_new_field).toBe(42);
    expect(res.organization.organization_id).toBe('o');
  });

  it('maps a Stytch error body to StytchApiError with its type, status and request id', async () => {
    server.handle((_req, res) =>
      json(res, 404, { request_id: 'request-id-test-9', error_type: 'session_not_found', error_message: 'Session could not be found.', error_url: 'https://stytch.com/docs/api/errors/404' }),
    );
    const error = (await rejection(client.sessions.authenticate({ session_token: 'tok' }))) as StytchApiError;
    expect(error).toBeInstanceOf(StytchApiError);
    expect(error.status).toBe(404);
    expect(error.code).toBe('session_not_found');
    expect(error.errorType).toBe('session_not_found');
    expect(error.requestId).toBe('request-id-test-9');
  });

  it('maps an OAuth2-style error body onto the same fields', async () => {
    server.handle((_req, res) => json(res, 400, { error: 'invalid_grant', error_description: 'Bad grant.' }));
    const error = (await rejection(client.oauth.authenticate({ oauth_token: 't' }))) as StytchApiError;
    expect(error.errorType).toBe('invalid_grant');
    expect(error.errorMessage).toBe('Bad grant.');
    expect(error.status).toBe(400);
  });

  it('treats a non-JSON body as a bad upstream response (502)', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    const error = (await rejection(client.rbac.policy())) as StytchUnavailableError;
    expect(error.code).toBe('upstream_bad_response');
    expect(error.status).toBe(502);
  });

  it('treats a JSON array or an empty 204 as a bad upstream response', async () => {
    server.handle((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('[1,2]');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    expect(((await rejection(client.sessions.revoke({ member_id: 'm' }))) as StytchUnavailableError).code).toBe('upstream_bad_response');
    expect(((await rejection(client.sessions.revoke({ member_id: 'm' }))) as StytchUnavailableError).code).toBe('upstream_bad_response');
  });

  it('refuses an oversized body, declared or chunked', async () => {
    const small = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, maxResponseBytes: 1024, retry: { maxRetries: 0 }, env: {} });
    try {
      server.handle((_req, res, n) => {
        const big = JSON.stringify({ pad: 'x'.repeat(4096) });
        if (n === 1) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) });
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
        }
        res.end(big);
      });
      const declared = (await rejection(small.rbac.policy())) as StytchUnavailableError;
      expect(declared.code).toBe('upstream_bad_response');
      const chunked = (await rejection(small.rbac.policy())) as StytchUnavailableError;
      expect(chunked.code).toBe('upstream_bad_response');
    } finally {
      await small.close();
    }
  });

  it('maps a 5xx to upstream_unavailable (503), even with a JSON error body', async () => {
    server.handle((_req, res) => json(res, 500, { error_type: 'internal_server_error', error_message: 'Oops' }));
    const error = (await rejection(client.sessions.authenticate({ session_token: 't' }))) as StytchUnavailableError;
    expect(error).toBeInstanceOf(StytchUnavailableError);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.status).toBe(503);
  });
});

describe('retries', () => {
  it('retries a GET after a 503 and then succeeds', async () => {
    server.handle((_req, res, n) => (n === 1 ? json(res, 503, { error_type: 'unavailable' }) : json(res, 200, { policy: { roles: [], resources: [] } })));
    const res = await client.rbac.policy();
    expect(res.policy?.roles).toEqual([]);
    expect(server.received).toHaveLength(2);
  });

  it('gives up on a GET after maxRetries extra attempts', async () => {
    server.handle((_req, res) => json(res, 503, {}));
    const error = (await rejection(client.rbac.organizations.getOrgPolicy({ organization_id: 'o' }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_unavailable');
    expect(server.received).toHaveLength(3);
  });

  it('never retries a POST', async () => {
    server.handle((_req, res) => json(res, 503, {}));
    const error = (await rejection(client.magicLinks.authenticate({ magic_links_token: 'single-use' }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_unavailable');
    expect(server.received).toHaveLength(1);
  });

  it('retries a GET after a reset connection', async () => {
    server.handle((_req, res, n) => (n === 1 ? res.socket?.destroy() : json(res, 200, { organization: {} })));
    await client.organizations.get({ organization_id: 'o' });
    expect(server.received).toHaveLength(2);
  });

  it('reports a reset connection on a POST as upstream_network without retrying', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const error = (await rejection(client.sessions.authenticate({ session_token: 't' }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_network');
    expect(error.status).toBe(503);
    expect(server.received).toHaveLength(1);
  });

  it('honours a short Retry-After on a 429 GET', async () => {
    server.handle((_req, res, n) => (n === 1 ? json(res, 429, { error_type: 'too_many_requests' }, { 'retry-after': '0' }) : json(res, 200, { keys: [] })));
    await client.sessions.getJWKS();
    expect(server.received).toHaveLength(2);
  });

  it('fails fast with upstream_rate_limited when Retry-After is beyond the deadline', async () => {
    server.handle((_req, res) => json(res, 429, { error_type: 'too_many_requests' }, { 'retry-after': '120' }));
    const error = (await rejection(client.rbac.policy())) as StytchUnavailableError;
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(120);
    expect(server.received).toHaveLength(1);
  });

  it('does not retry a 429 POST', async () => {
    server.handle((_req, res) => json(res, 429, { error_type: 'too_many_requests' }, { 'retry-after': '0' }));
    const error = (await rejection(client.otps.email.loginOrSignup({ organization_id: 'o', email_address: 'a@b.co' }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.retryAfterSeconds).toBe(0);
    expect(server.received).toHaveLength(1);
  });
});

describe('deadlines', () => {
  it('ends a call to a server that never answers with upstream_timeout', async () => {
    server.handle(() => undefined);
    const error = (await rejection(client.sessions.authenticate({ session_token: 't' }, { timeoutMs: 150 }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_timeout');
    expect(error.status).toBe(503);
  });

  it('ends a trickled body at the deadline', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"pad":"');
      const timer = setInterval(() => {
        if (res.destroyed) clearInterval(timer);
        else res.write('x');
      }, 20);
      res.on('close', () => clearInterval(timer));
    });
    const error = (await rejection(client.rbac.policy({}, { timeoutMs: 200 }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_timeout');
  });

  it('does not retry a GET once its deadline has passed', async () => {
    server.handle(() => undefined);
    const error = (await rejection(client.rbac.policy({}, { timeoutMs: 150 }))) as StytchUnavailableError;
    expect(error.code).toBe('upstream_timeout');
    expect(server.received).toHaveLength(1);
  });

  it('reports a caller abort as upstream_network', async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const pending = client.sessions.authenticate({ session_token: 't' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = (await rejection(pending)) as StytchUnavailableError;
    expect(error.code).toBe('upstream_network');
  });

  it('reports an unreachable server as upstream_network', async () => {
    const dead = await startScriptedServer();
    const url = dead.url;
    await dead.close();
    const offline = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: url, retry: { maxRetries: 0 }, env: {} });
    try {
      const error = (await rejection(offline.rbac.policy())) as StytchUnavailableError;
      expect(error.code).toBe('upstream_network');
    } finally {
      await offline.close();
    }
  });
});

describe('secrets', () => {
  const basic = Buffer.from(`${PROJECT_ID}:${SECRET}`).toString('base64');

  it('keeps the secret out of inspect and JSON output of the client', () => {
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), JSON.stringify(client.config), inspect(client.config)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(basic);
    }
    expect(JSON.stringify(client.config)).toContain(PROJECT_ID);
  });

  it('keeps secrets and tokens out of every error, including its cause', async () => {
    const errors: Error[] = [];
    server.handle((_req, res) => json(res, 401, { error_type: 'unauthorized_credentials', error_message: 'Unauthorized credentials.' }));
    errors.push(await rejection(client.sessions.authenticate({ session_token: 'tok-SECRET-VALUE' }, { authorization: { session_jwt: 'jwt-SECRET-VALUE' } })));
    server.handle((_req, res) => res.socket?.destroy());
    errors.push(await rejection(client.sessions.authenticate({ session_token: 'tok-SECRET-VALUE' })));
    server.handle(() => undefined);
    errors.push(await rejection(client.sessions.authenticate({ session_token: 'tok-SECRET-VALUE' }, { timeoutMs: 100 })));
    for (const error of errors) {
      const text = `${error.message} ${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)}`;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(basic);
      expect(text).not.toContain('SECRET-VALUE');
    }
  });
});

describe('connections', () => {
  it('reuses keep-alive connections for sequential calls', async () => {
    const before = server.connections();
    for (let i = 0; i < 10; i++) await client.rbac.policy();
    // undici may open a second socket while the first is still finishing; never one per call.
    expect(server.connections() - before).toBeLessThanOrEqual(2);
  });

  it('sends through a given dispatcher and leaves it open on close()', async () => {
    const agent = new Agent();
    const viaAgent = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, dispatcher: agent, env: {} });
    await viaAgent.rbac.policy();
    await viaAgent.close();
    expect(agent.destroyed).toBe(false);
    expect(server.received).toHaveLength(1);
    await agent.close();
  });

  it('makes a single attempt when maxRetries is 0', async () => {
    const once = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, retry: { maxRetries: 0 }, env: {} });
    server.handle((_req, res) => json(res, 503, {}));
    await expect(once.rbac.policy()).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(server.received).toHaveLength(1);
    await once.close();
  });
});

describe('close', () => {
  it('rejects calls after close() and tolerates a second close()', async () => {
    await client.close();
    await client.close();
    const error = (await rejection(client.rbac.policy())) as StytchUnavailableError;
    expect(error.code).toBe('upstream_network');
  });
});
