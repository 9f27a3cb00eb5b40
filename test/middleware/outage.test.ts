/**
 * Catalogue section 13, the outage matrix: for each cache state and upstream condition, what a
 * valid JWT, an expired JWT, a forged token and an opaque token get, and how many upstream calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { headerOf, mintForged, payloadOf, withClaims } from '../helpers/tokens.js';
import { get, newSession, startApp } from './support.js';
import type { Harness } from './support.js';

const emu = useEmulator();
const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
const JWKS_FAULT = 'GET /v1/b2b/sessions/jwks/*';
afterEach(() => {
  settleFaults(emu());
});

type Cell = { status: number; maxCalls: number; exactCalls?: number };

async function warm(app: Harness): Promise<void> {
  const s = newSession(emu());
  expect((await get(`${app.url}/private`, { bearer: s.session_jwt })).status).toBe(200);
}

function tokens() {
  const s = newSession(emu());
  const nowSec = Math.floor(emu().clock.now() / 1000);
  return {
    valid: { bearer: s.session_jwt },
    expired: { cookie: `stytch_session_jwt=${withClaims(emu(), s.session_jwt, (p) => void (p.exp = nowSec - 10))}` },
    forged: { bearer: mintForged({ kid: headerOf(s.session_jwt).kid }, payloadOf(s.session_jwt)) },
    junk: { bearer: 'not.a-jwt' },
    opaque: { cookie: `stytch_session=${s.session_token}` },
  };
}

async function expectCell(app: Harness, credential: { bearer?: string; cookie?: string }, cell: Cell): Promise<void> {
  emu().calls.clear();
  const res = await get(`${app.url}/private`, credential);
  expect(res.status).toBe(cell.status);
  if (res.status >= 400) expect(res.headers.get('cache-control')).toBe('no-store');
  if (res.status === 503) expect(res.setCookies).toEqual([]);
  const calls = emu().calls.count(AUTHENTICATE);
  if (cell.exactCalls !== undefined) expect(calls).toBe(cell.exactCalls);
  else expect(calls).toBeLessThanOrEqual(cell.maxCalls);
}

function down(times = 10_000): void {
  emu().faults.next(JWKS_FAULT, { status: 503 }, times);
  emu().faults.next(AUTHENTICATE, { status: 503 }, times);
}

const options = { networkTimeoutMs: 300, jwks: { staleIfErrorMs: 5 * 60_000, timeoutMs: 300 }, circuitBreaker: { failureThreshold: 1000 } };

describe('catalogue section 13: outage matrix', () => {
  it('JWKS fresh, upstream up: valid 200/0, expired 200 + new cookie/1, forged 401/0, opaque 200/1', async () => {
    const app = await startApp(emu(), options);
    await warm(app);
    const t = tokens();
    await expectCell(app, t.valid, { status: 200, maxCalls: 0, exactCalls: 0 });
    emu().calls.clear();
    const refreshed = await get(`${app.url}/private`, t.expired);
    expect(refreshed.status).toBe(200);
    expect(refreshed.setCookies.some((c) => c.startsWith('stytch_session_jwt=ey'))).toBe(true);
    expect(emu().calls.count(AUTHENTICATE)).toBe(1);
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 200, maxCalls: 1, exactCalls: 1 });
  });

  it.each([
    ['down', { status: 503 }],
    ['timing out', { hang: true }],
  ] as const)('JWKS fresh, upstream %s: valid 200/0, expired 503/<=1, forged 401/0, opaque 503/<=1', async (_name, fault) => {
    const app = await startApp(emu(), options);
    await warm(app);
    const t = tokens();
    emu().faults.next(AUTHENTICATE, fault, 100);
    await expectCell(app, t.valid, { status: 200, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 1 });
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 1 });
  });

  it('JWKS stale within the fallback window, upstream down: valid 200 + warning, expired 503, forged 401/0, opaque 503', async () => {
    const app = await startApp(emu(), options);
    await warm(app);
    emu().clock.advance(11 * 60_000);
    const t = tokens();
    down();
    await expectCell(app, t.valid, { status: 200, maxCalls: 0 });
    expect(app.logs.some((l) => l.level === 'warn' && l.obj.event === 'jwks_stale_served')).toBe(true);
    await expectCell(app, t.expired, { status: 503, maxCalls: 1 });
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 1 });
  });

  it('JWKS stale past the fallback window, upstream down: valid 503, expired 503, forged 401/0, opaque 503', async () => {
    const app = await startApp(emu(), options);
    await warm(app);
    emu().clock.advance(16 * 60_000);
    const t = tokens();
    down();
    await expectCell(app, t.valid, { status: 503, maxCalls: 0 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 1 });
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 1 });
  });

  it('JWKS cold, upstream down: valid 503, expired 503, malformed 401 but well-formed forged 503, opaque 503', async () => {
    const app = await startApp(emu(), options);
    const t = tokens();
    down();
    await expectCell(app, t.valid, { status: 503, maxCalls: 0 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 1 });
    await expectCell(app, t.junk, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.forged, { status: 503, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 1 });
  });

  it('upstream answering 429: valid 200 locally, expired 503 with no retry before Retry-After, forged 401/0, opaque 503', async () => {
    const app = await startApp(emu(), options);
    await warm(app);
    const t = tokens();
    emu().faults.next(AUTHENTICATE, { status: 429, errorType: 'too_many_requests', retryAfterSeconds: 30 }, 100);
    await expectCell(app, t.valid, { status: 200, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 1, exactCalls: 1 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 0, exactCalls: 0 });
  });

  it('breaker open: valid 200/0 (local), expired 503/0, forged 401/0, opaque 503/0', async () => {
    const app = await startApp(emu(), { ...options, circuitBreaker: { failureThreshold: 2, coolOffMs: 60_000 } });
    await warm(app);
    const t = tokens();
    emu().faults.next(AUTHENTICATE, { status: 503 }, 2);
    await get(`${app.url}/private`, t.opaque);
    await get(`${app.url}/private`, t.opaque);
    expect(app.auth.metrics().circuit).toBe('open');
    await expectCell(app, t.valid, { status: 200, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.expired, { status: 503, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.forged, { status: 401, maxCalls: 0, exactCalls: 0 });
    await expectCell(app, t.opaque, { status: 503, maxCalls: 0, exactCalls: 0 });
  });
});
