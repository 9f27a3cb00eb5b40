/**
 * The circuit breaker of the network path, end to end over HTTP (catalogue #50, #52): it opens
 * after repeated failures (answers at once, 0 upstream calls), lets exactly one probe through
 * after the cool-off, closes on the probe's success and re-opens on its failure. Locally verified
 * JWTs never notice. Time is the emulator's clock, moved by the test.
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { AUTHENTICATE, AUTHENTICATE_CALLS, callsTo, clearedSessionCookies, closeAppsAfterEach, expiredJwtBrowser, signedInBrowser, startResilienceApp } from './support.js';
import type { ResilienceApp } from './support.js';

const emu = useEmulator();
let app: ResilienceApp | undefined;
closeAppsAfterEach(emu);

const THRESHOLD = 3;
const COOL_OFF_MS = 10_000;

function expiredBrowser(a: ResilienceApp) {
  return expiredJwtBrowser(emu(), a);
}

async function openCircuit(a: ResilienceApp): Promise<void> {
  emu().faults.next(AUTHENTICATE, { status: 503 }, THRESHOLD);
  for (let i = 0; i < THRESHOLD; i++) expect((await expiredBrowser(a).browser.get('/api/me')).status).toBe(503);
  expect(a.auth.metrics().circuit).toBe('open');
}

describe('circuit breaker over HTTP', () => {
  it('opens after the threshold: later network checks answer 503 circuit_open at once with 0 upstream calls and keep cookies', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS } });
    emu().calls.clear();
    await openCircuit(app);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(THRESHOLD);
    emu().calls.clear();
    for (let i = 0; i < 5; i++) {
      const res = await expiredBrowser(app).browser.get('/api/me');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('circuit_open');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(clearedSessionCookies(res.setCookies)).toEqual([]);
    }
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('locally verified JWTs keep working while the circuit is open', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS } });
    const { browser } = signedInBrowser(emu(), app);
    await openCircuit(app);
    emu().calls.clear();
    for (const path of ['/api/me', '/api/self', '/api/fresh']) expect((await browser.get(path)).status, path).toBe(200);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
  });

  it('after the cool-off exactly one probe goes out among concurrent requests, and its success closes the circuit', async () => {
    // A roomy deadline here: the probe is made slow on purpose and must still succeed on a busy machine.
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS }, networkTimeoutMs: 3_000 });
    await openCircuit(app);
    emu().clock.advance(COOL_OFF_MS + 1);
    expect(app.auth.metrics().circuit).toBe('half_open');
    // The probe is slow (still inside the deadline), so the other requests arrive while it is out.
    emu().faults.next(AUTHENTICATE, { delayMs: 200 }, 1);
    emu().calls.clear();
    const browsers = Array.from({ length: 10 }, () => expiredBrowser(app!).browser);
    const answers = await Promise.all(browsers.map((b) => b.get('/api/me')));
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 503 && r.body.error.code === 'circuit_open')).toHaveLength(9);
    expect(app.auth.metrics().circuit).toBe('closed');
    emu().calls.clear();
    const again = await Promise.all(browsers.map((b) => b.get('/api/me')));
    expect(again.every((r) => r.status === 200)).toBe(true);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(9);
  });

  it('a failed probe re-opens the circuit for another cool-off at once', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS } });
    await openCircuit(app);
    emu().clock.advance(COOL_OFF_MS + 1);
    emu().faults.next(AUTHENTICATE, { hang: true }, 1);
    emu().calls.clear();
    expect((await expiredBrowser(app).browser.get('/api/me')).status).toBe(503);
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(1);
    expect(app.auth.metrics().circuit).toBe('open');
    emu().calls.clear();
    expect((await expiredBrowser(app).browser.get('/api/me')).body.error.code).toBe('circuit_open');
    expect(callsTo(emu(), AUTHENTICATE_CALLS)).toBe(0);
    emu().faults.clear(); // no call met the scripted outage, as none may
    emu().clock.advance(COOL_OFF_MS + 1);
    expect((await expiredBrowser(app).browser.get('/api/me')).status).toBe(200);
    expect(app.auth.metrics().circuit).toBe('closed');
  });

  it('a definite "no such session" (4xx) is an answer, not a failure: it never opens the circuit', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS } });
    for (let i = 0; i < THRESHOLD * 3; i++) {
      const s = expiredBrowser(app);
      emu().admin.revokeSession({ member_session_id: s.session.member_session.member_session_id });
      expect((await s.browser.get('/api/me')).status).toBe(401);
    }
    expect(app.auth.metrics().circuit).toBe('closed');
  });

  it('the drop-in routes do not go through the session breaker: login still reaches Stytch while it is open', async () => {
    app = await startResilienceApp(emu(), { circuitBreaker: { failureThreshold: THRESHOLD, coolOffMs: COOL_OFF_MS } });
    await openCircuit(app);
    const s = signedInBrowser(emu(), app);
    emu().calls.clear();
    const res = await app.browser().post('/auth/login/email', { json: { email_address: s.email, organization_id: s.org.organization_id } });
    expect(res.status).toBe(202);
    expect(callsTo(emu(), /magic_links\/email\/login_or_signup$/)).toBe(1);
  });
});
