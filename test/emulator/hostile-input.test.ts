import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { basicAuth, useEmulator } from '../helpers/emulator.js';
import type { ApiResponse, JsonBody } from '../helpers/emulator.js';
import { callApi, expectOk, expectStytchError, loggedInMember } from './support.js';

const emu = useEmulator();
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];

function expect4xx(res: ApiResponse, errorType?: string | string[]) {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text).toBeLessThan(500);
  return expectStytchError(res, res.status, errorType);
}

describe('prototype-named identifiers', () => {
  it('treats them as unknown organizations, sessions and links, never a 500', async () => {
    const e = emu();
    for (const name of PROTO_NAMES) {
      expect4xx(await callApi(e, 'GET', `/v1/b2b/organizations/${name}`), 'organization_not_found');
      expect4xx(await callApi(e, 'GET', `/v1/b2b/rbac/organizations/${name}`));
      expect4xx(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: name }));
      expect4xx(await callApi(e, 'POST', '/v1/b2b/magic_links/authenticate', { magic_links_token: name }));
      expect4xx(await callApi(e, 'POST', '/v1/b2b/discovery/organizations', { intermediate_session_token: name }));
      expect4xx(await callApi(e, 'GET', `/v1/b2b/sessions/jwks/${name}`, undefined, { auth: false }));
    }
  });

  it('refuses prototype-named resources and actions in authorization_check with a 403', async () => {
    const { sessionToken, org } = await loggedInMember(emu());
    for (const name of PROTO_NAMES) {
      const res = await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', {
        session_token: sessionToken,
        authorization_check: { organization_id: org.organization_id, resource_id: name, action: name },
      });
      expectStytchError(res, 403, 'session_authorization_error');
    }
  });

  it('does not let a __proto__ key in a body pollute Object.prototype', async () => {
    const body = '{"session_token":"x","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted2":"yes"}}}';
    const res = await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', body);
    expect(res.status).toBeLessThan(500);
    expect(({} as JsonBody).polluted).toBeUndefined();
    expect(({} as JsonBody).polluted2).toBeUndefined();
    const claims = await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', {
      session_token: (await loggedInMember(emu())).sessionToken,
      session_custom_claims: JSON.parse('{"__proto__":{"polluted3":"yes"}}'),
    });
    expect(claims.status).toBeLessThan(500);
    expect(({} as JsonBody).polluted3).toBeUndefined();
  });
});

describe('hostile tokens', () => {
  it('refuses a well-signed JWT whose kid is prototype-named or unknown', async () => {
    const e = emu();
    const { sessionJwt } = await loggedInMember(e);
    const payload = JSON.parse(Buffer.from(sessionJwt.split('.')[1]!, 'base64url').toString('utf8'));
    for (const kid of ['__proto__', 'constructor', 'jwk-test-unknown', '../../etc/passwd']) {
      const forged = e.admin.signJwt(payload, { kid });
      expect4xx(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: forged }));
    }
  });

  it('refuses a well-signed JWT for a session that does not exist with 404 session_not_found', async () => {
    const e = emu();
    const { sessionJwt } = await loggedInMember(e);
    const payload = JSON.parse(Buffer.from(sessionJwt.split('.')[1]!, 'base64url').toString('utf8'));
    payload['https://stytch.com/session'].id = 'session-test-00000000-0000-4000-8000-000000000000';
    expectStytchError(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: e.admin.signJwt(payload) }), 404, 'session_not_found');
  });

  it('refuses an HS256 JWT keyed with the public key (algorithm confusion)', async () => {
    const e = emu();
    const { sessionJwt } = await loggedInMember(e);
    const [, payload] = sessionJwt.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: e.admin.currentKid() })).toString('base64url');
    const { createHmac } = await import('node:crypto');
    const jwks = expectOk(await callApi(e, 'GET', `/v1/b2b/sessions/jwks/${e.projectId}`, undefined, { auth: false }));
    const sig = createHmac('sha256', JSON.stringify(jwks.keys[0])).update(`${header}.${payload}`).digest('base64url');
    expect4xx(await callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: `${header}.${payload}.${sig}` }));
  });

  it('answers a 10 KB token with a 4xx', async () => {
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_token: 'a'.repeat(10_240) }));
    expect4xx(await callApi(emu(), 'POST', '/v1/b2b/sessions/authenticate', { session_jwt: `${'a'.repeat(5_000)}.${'b'.repeat(5_000)}.c` }));
  });
});

describe('hostile transport', () => {
  it('answers invalid UTF-8 in a JSON body with a 400', async () => {
    const e = emu();
    const res = await fetch(`${e.url}/v1/b2b/sessions/authenticate`, {
      method: 'POST',
      headers: { authorization: basicAuth(e), 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"session_token":"'), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from('"}')]),
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    expect(res.status, text).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(text).error_type).toBeTypeOf('string');
  });

  it('answers a chunked body over the size limit with 413 or 400 and keeps the connection answered', async () => {
    const e = emu();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent === 0) this.push('{"session_token":"');
        if (sent >= 20) {
          this.push('"}');
          this.push(null);
          return;
        }
        sent++;
        this.push(chunk);
      },
    });
    const res = await request(`${e.url}/v1/b2b/sessions/authenticate`, {
      method: 'POST',
      headers: { authorization: basicAuth(e), 'content-type': 'application/json' },
      body: stream,
    });
    const text = await res.body.text();
    expect([400, 413]).toContain(res.statusCode);
    expect(JSON.parse(text).status_code).toBe(res.statusCode);
  });

  it('honours a smaller maxBodyBytes', async () => {
    const { startEmulator } = await import('../../src/emulator/index.js');
    const small = await startEmulator({ quiet: true, maxBodyBytes: 1024 });
    try {
      const res = await callApi(small, 'POST', '/v1/b2b/sessions/authenticate', { session_token: 'a'.repeat(2048) });
      expect(res.status).toBe(413);
      expect(res.body.status_code).toBe(res.status);
    } finally {
      await small.close();
    }
  });

  it('answers path traversal and encoded slashes with a 404, not a file', async () => {
    const e = emu();
    for (const path of ['/v1/b2b/../../etc/passwd', '/v1/b2b/sessions/jwks/..%2F..%2Fetc%2Fpasswd', '/%2e%2e/%2e%2e/package.json']) {
      const res = await callApi(e, 'GET', path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toContain('root:');
      expect(res.text).not.toContain('"devDependencies"');
    }
  });

  it('answers 50 concurrent requests, valid and invalid alike', async () => {
    const e = emu();
    const { sessionToken } = await loggedInMember(e);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? callApi(e, 'POST', '/v1/b2b/sessions/authenticate', { session_token: sessionToken })
          : callApi(e, 'POST', '/v1/b2b/sessions/authenticate', '{bad json'),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(25);
    expect(results.filter((r) => r.status === 400)).toHaveLength(25);
    expect(new Set(results.map((r) => r.body.request_id)).size).toBe(50);
  });
});
