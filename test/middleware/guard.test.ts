import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthorizationError, StytchUnavailableError } from '../../src/errors.js';
import { createGuard } from '../../src/middleware/guard.js';
import type { GuardCheck } from '../../src/middleware/guard.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { isNavigation } from '../../src/middleware/respond.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { emulatorOptions, get, listen, newSession, onCleanup, rawGet } from './support.js';

const emu = useEmulator();
afterEach(() => {
  settleFaults(emu());
});

async function appWith(guard: ReturnType<typeof createGuard>, options = {}) {
  const auth = stytchAuth(emulatorOptions(emu(), options));
  onCleanup(() => auth.close());
  let handlerRuns = 0;
  const app = express();
  app.use(auth);
  app.get('/x', guard, (_req, res) => {
    handlerRuns++;
    res.json({ ok: true });
  });
  const { url } = await listen(app);
  return { url, runs: () => handlerRuns };
}

const pass: GuardCheck = () => ({ outcome: 'pass' });
const skip: GuardCheck = () => ({ outcome: 'skip' });
const deny: GuardCheck = () => ({ outcome: 'fail', error: new AuthorizationError('role_required', 'A role is required.') });

describe('createGuard and requireAuth', () => {
  it('a signed-in request passes requireAuth', async () => {
    const app = await appWith(requireAuth());
    expect((await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt })).status).toBe(200);
  });

  it('a browser navigation without a configured loginUrl gets 401, not a redirect', async () => {
    const app = await appWith(requireAuth());
    const res = await get(`${app.url}/x`, { headers: { 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(401);
  });

  it('the login redirect carries only a safe same-origin return_to', async () => {
    const auth = stytchAuth(emulatorOptions(emu(), { loginUrl: '/login?from=guard' }));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    app.use(requireAuth());
    const { url } = await listen(app);
    for (const path of ['//evil.example/x', '/\\evil.example', '/%5cevil.example']) {
      const res = await rawGet(url, path, [Buffer.from('Accept: text/html')]);
      expect(res.status).toBe(303);
      expect(res.text).toMatch(/Location: \/login\?from=guard&return_to=%2F\r\n/);
    }
    const ok = await rawGet(url, '/x?a=1', [Buffer.from('Accept: text/html')]);
    expect(ok.text).toMatch(/Location: \/login\?from=guard&return_to=%2Fx%3Fa%3D1\r\n/);
  });

  it('an API call (fetch/XHR) is never redirected', async () => {
    const app = await appWith(requireAuth(), { loginUrl: '/login' });
    expect((await get(`${app.url}/x`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } })).status).toBe(401);
    expect((await get(`${app.url}/x`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  it('an undecided identity gets 503 with Retry-After, and the handler does not run', async () => {
    const app = await appWith(requireAuth());
    emu().faults.next('GET /v1/b2b/sessions/jwks/*', { status: 503 }, 10);
    const res = await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(app.runs()).toBe(0);
  });

  it('access needs some check to pass: only skips deny with 403', async () => {
    const app = await appWith(createGuard('onlySkips', [skip, skip]));
    const res = await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('permission_denied');
  });

  it('an empty check list denies every request', async () => {
    const app = await appWith(createGuard('empty', []));
    expect((await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt })).status).toBe(403);
  });

  it('one failing check denies even when another passes, with the failing check error', async () => {
    const app = await appWith(createGuard('mixed', [pass, deny]));
    const res = await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('role_required');
    expect(app.runs()).toBe(0);
  });

  it('async checks are awaited in order', async () => {
    const order: string[] = [];
    const a: GuardCheck = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('a');
      return { outcome: 'pass' };
    };
    const b: GuardCheck = () => {
      order.push('b');
      return { outcome: 'skip' };
    };
    const app = await appWith(createGuard('async', [a, b]));
    expect((await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt })).status).toBe(200);
    expect(order).toEqual(['a', 'b']);
  });

  it('a failing check redirects browser navigations when it names a target', async () => {
    const stepUp: GuardCheck = () => ({ outcome: 'fail', error: new AuthorizationError('step_up_required'), redirectTo: '/mfa' });
    const app = await appWith(createGuard('stepUp', [stepUp]));
    const s = newSession(emu());
    const nav = await get(`${app.url}/x`, { bearer: s.session_jwt, headers: { 'sec-fetch-mode': 'navigate' } });
    expect(nav.status).toBe(303);
    expect(nav.headers.get('location')).toBe('/mfa');
    expect((await get(`${app.url}/x`, { bearer: s.session_jwt })).status).toBe(403);
  });

  it('catalogue #100: a check that throws answers a generic 500, never runs the handler, never leaks the message', async () => {
    const boom: GuardCheck = () => {
      throw new TypeError('secret internals at /srv/app.js');
    };
    const app = await appWith(createGuard('boom', [boom]));
    const res = await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Internal error.' } });
    expect(app.runs()).toBe(0);
  });

  it('a check that rejects with an upstream error answers 503', async () => {
    const down: GuardCheck = () => Promise.reject(new StytchUnavailableError('upstream_timeout', 'policy fetch timed out at 10.0.0.1'));
    const app = await appWith(createGuard('down', [down]));
    const res = await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_timeout');
    expect(JSON.stringify(res.body)).not.toContain('10.0.0.1');
  });

  it('a check that answers garbage denies (fail closed)', async () => {
    const garbage = (() => ({ outcome: 'maybe' })) as unknown as GuardCheck;
    const app = await appWith(createGuard('garbage', [garbage]));
    expect((await get(`${app.url}/x`, { bearer: newSession(emu()).session_jwt })).status).toBe(500);
  });

  it('a guard without stytchAuth() mounted answers 500, never passes', async () => {
    const app = express();
    app.get('/x', requireAuth(), (_req, res) => res.json({ ok: true }));
    const { url } = await listen(app);
    const res = await get(`${url}/x`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('middleware_not_mounted');
  });

  it('the guard function carries its name', () => {
    expect(requireAuth().name).toBe('requireAuth');
    expect(createGuard('requireEditor', []).name).toBe('requireEditor');
  });

  it('isNavigation reads Sec-Fetch-Mode first, then Accept on GET', () => {
    const req = (headers: Record<string, string>, method = 'GET') => ({ headers, method }) as never;
    expect(isNavigation(req({ 'sec-fetch-mode': 'navigate' }))).toBe(true);
    expect(isNavigation(req({ 'sec-fetch-mode': 'cors', accept: 'text/html' }))).toBe(false);
    expect(isNavigation(req({ accept: 'text/html,application/xhtml+xml' }))).toBe(true);
    expect(isNavigation(req({ accept: 'text/html' }, 'POST'))).toBe(false);
    expect(isNavigation(req({ accept: 'application/json' }))).toBe(false);
  });
});
