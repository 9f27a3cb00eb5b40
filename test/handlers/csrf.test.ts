import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { csrfProtection } from '../../src/handlers/index.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import type { JarResponse } from '../helpers/cookie-jar.js';
import { useEmulator } from '../helpers/emulator.js';
import { resetEmulatorBeforeEach, routeCalls as listRouteCalls, seedMember, startApp, useTestApp } from './harness.js';
import { listenOnLoopback } from '../helpers/listen.js';

const emu = useEmulator();
const app = useTestApp(emu);
resetEmulatorBeforeEach(emu);

/** A signed-in browser (real session cookies), as a CSRF victim would be. */
function victim(): CookieJarClient {
  const { member } = seedMember(emu());
  const { session_jwt, session_token } = emu().admin.createSession({ member_id: member.member_id });
  const browser = app.browser();
  browser.setCookie('stytch_session_jwt', session_jwt);
  browser.setCookie('stytch_session', session_token);
  emu().calls.clear();
  return browser;
}

/** How many upstream calls the routes made (stytchAuth's own session checks and JWKS fetches excluded). */
function routeCalls(): number {
  return listRouteCalls(emu()).length;
}

function expectRejected(res: JarResponse): void {
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('csrf_rejected');
  expect(routeCalls()).toBe(0);
}

const STATE_CHANGING = [
  '/auth/login/email',
  '/auth/discovery/exchange',
  '/auth/discovery/organizations',
  '/auth/mfa/sms/send',
  '/auth/mfa/sms/authenticate',
  '/auth/mfa/totp/create',
  '/auth/mfa/totp/authenticate',
  '/auth/mfa/recovery',
  '/auth/switch-organization',
  '/auth/logout',
  '/auth/email/update',
];

describe('CSRF on every state-changing route', () => {
  it.each(STATE_CHANGING)('catalogue #84: a cross-origin POST to %s is 403 csrf_rejected with 0 upstream calls', async (path) => {
    expectRejected(await victim().post(path, { json: { email_address: 'a@example.com' }, origin: 'https://evil.example' }));
  });

  it.each(STATE_CHANGING)('catalogue #86: a POST to %s with neither Origin nor Referer is 403', async (path) => {
    expectRejected(await victim().post(path, { json: {}, origin: null }));
  });

  it('catalogue #85: look-alike origins are refused (suffix, prefix, downgrade, null, port)', async () => {
    const port = new URL(app.origin).port;
    for (const origin of [
      `${app.origin}.evil.com`,
      `http://evil127.0.0.1:${port}`,
      `https://127.0.0.1:${port}`,
      'null',
      `http://127.0.0.1:${Number(port) + 1}`,
      `http://127.0.0.1`,
      `${app.origin}/`,
      `HTTP://127.0.0.1:${port}`,
    ]) {
      expectRejected(await victim().post('/auth/logout', { origin }));
    }
  });

  it('catalogue #85: a same-origin POST passes the check', async () => {
    const res = await victim().post('/auth/logout', {});
    expect(res.status).toBe(200);
  });

  it('falls back to the Referer origin when Origin is absent', async () => {
    expect((await victim().post('/auth/logout', { origin: null, headers: { referer: `${app.origin}/settings` } })).status).toBe(200);
    expectRejected(await victim().post('/auth/logout', { origin: null, headers: { referer: `https://evil.example/${app.origin}` } }));
    expectRejected(await victim().post('/auth/logout', { origin: null, headers: { referer: 'not a url' } }));
  });

  it('catalogue #87: Sec-Fetch-Site cross-site is refused even with a matching Origin', async () => {
    expectRejected(await victim().post('/auth/logout', { headers: { 'sec-fetch-site': 'cross-site' } }));
  });

  it('catalogue #87: without Origin/Referer, Sec-Fetch-Site same-origin passes and same-site / none are refused', async () => {
    expect((await victim().post('/auth/logout', { origin: null, headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expectRejected(await victim().post('/auth/logout', { origin: null, headers: { 'sec-fetch-site': 'same-site' } }));
    expectRejected(await victim().post('/auth/logout', { origin: null, headers: { 'sec-fetch-site': 'none' } }));
  });

  it('catalogue #87: same-site is accepted only when trustedSubdomains is on', async () => {
    const trusting = await startApp(emu(), { routes: { trustedSubdomains: true } });
    try {
      const browser = trusting.browser();
      browser.setCookie('theme', 'dark');
      expect((await browser.post('/auth/logout', { origin: null, headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(200);
    } finally {
      await trusting.close();
    }
  });

  it('catalogue #89: a bearer-only request (no cookies) skips the check; the same request with cookies is checked', async () => {
    const { member } = seedMember(emu());
    const { session_jwt } = emu().admin.createSession({ member_id: member.member_id });
    const bearerOnly = app.browser();
    const ok = await bearerOnly.post('/auth/logout', { origin: 'https://evil.example', headers: { authorization: `Bearer ${session_jwt}` } });
    expect(ok.status).toBe(200);
    emu().calls.clear();
    const withCookie = victim();
    expectRejected(await withCookie.post('/auth/logout', { origin: 'https://evil.example', headers: { authorization: `Bearer ${session_jwt}` } }));
  });

  it('catalogue #90: simple content types (text/plain, multipart) are 415 after the origin check, with 0 upstream calls', async () => {
    for (const type of ['text/plain', 'multipart/form-data; boundary=x']) {
      const res = await victim().post('/auth/login/email', { raw: 'email_address=a@example.com', headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    expectRejected(await victim().post('/auth/login/email', { raw: 'x', headers: { 'content-type': 'text/plain' }, origin: 'https://evil.example' }));
  });

  it('catalogue #91: a spoofed Host / X-Forwarded-Host matching the attacker Origin is still refused', async () => {
    expectRejected(
      await victim().post('/auth/logout', { origin: 'https://evil.example', headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } }),
    );
  });
});

describe('csrfProtection() middleware', () => {
  it('refuses a missing or invalid appUrl at construction', () => {
    expect(() => csrfProtection({ appUrl: '' })).toThrow(ConfigError);
    expect(() => csrfProtection({ appUrl: 'ftp://app.example.com' })).toThrow(ConfigError);
    expect(() => csrfProtection({ appUrl: 'https://app.example.com', allowedOrigins: ['not a url'] })).toThrow(ConfigError);
  });

  it('guards your own routes: same origin and allowed origins pass, others get 403 and the handler never runs', async () => {
    let runs = 0;
    const server = createServer();
    await listenOnLoopback(server);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const appX = express();
    appX.post('/api/things', csrfProtection({ appUrl: origin, allowedOrigins: ['https://spa.example.com'] }), (_req, res) => {
      runs++;
      res.status(201).end();
    });
    server.on('request', appX);
    try {
      const browser = new CookieJarClient(origin);
      browser.setCookie('sid', 'x');
      expect((await browser.post('/api/things')).status).toBe(201);
      expect((await browser.post('/api/things', { origin: 'https://spa.example.com' })).status).toBe(201);
      const refused = await browser.post('/api/things', { origin: 'https://spa.example.com.evil.com' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('csrf_rejected');
      expect(refused.headers['cache-control']).toContain('no-store');
      expect((await browser.get('/api/things')).status).toBe(404);
      expect(runs).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
