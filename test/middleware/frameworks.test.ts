import connect from 'connect';
// express4 is the npm alias of express@4; it ships no types of its own, and Express 5's typings describe the same calls used here.
// @ts-expect-error no type declarations for the alias
import express4Untyped from 'express4';
import type express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { withClaims } from '../helpers/tokens.js';
import { emulatorOptions, get, listen, newSession, onCleanup } from './support.js';

const express4 = express4Untyped as typeof express;
const emu = useEmulator();
afterEach(() => {
  settleFaults(emu());
});

function expired(jwt: string): string {
  return withClaims(emu(), jwt, (p) => void (p.exp = Math.floor(emu().clock.now() / 1000) - 10));
}

async function exercise(url: string): Promise<void> {
  const s = newSession(emu());
  expect((await get(`${url}/private`)).status).toBe(401);
  const ok = await get(`${url}/private`, { bearer: s.session_jwt });
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ memberId: s.member_id });
  // the network path writes both cookies through res.setHeader, keeping other Set-Cookie lines
  const refreshed = await get(`${url}/private`, { cookie: `stytch_session_jwt=${expired(s.session_jwt)}` });
  expect(refreshed.status).toBe(200);
  expect(refreshed.setCookies.some((c) => c.startsWith('app=1'))).toBe(true);
  expect(refreshed.setCookies.some((c) => c.startsWith('stytch_session_jwt=ey'))).toBe(true);
  expect(refreshed.setCookies.some((c) => c.startsWith('stytch_session='))).toBe(true);
  const bad = await get(`${url}/private`, { cookie: 'stytch_session_jwt=aaa.bbb.ccc' });
  expect(bad.status).toBe(401);
  expect(bad.setCookies.some((c) => c.startsWith('stytch_session_jwt=;'))).toBe(true);
}

describe('works on Express 5, Express 4 and Connect', () => {
  it('Express 4: signs in, refreshes, rejects', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express4();
    app.use((_req, res, next) => {
      res.setHeader('Set-Cookie', ['app=1; Path=/']);
      next();
    });
    app.use(auth);
    app.get('/private', requireAuth(), (req, res) => {
      res.json({ memberId: (getStytchAuth(req) as { memberId: string }).memberId });
    });
    const { url } = await listen(app);
    await exercise(url);
  });

  it('Connect: signs in, refreshes, rejects', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = connect();
    app.use((_req: unknown, res: { setHeader(n: string, v: string[]): void }, next: () => void) => {
      res.setHeader('Set-Cookie', ['app=1; Path=/']);
      next();
    });
    app.use(auth);
    app.use('/private', requireAuth());
    app.use('/private', (req: object, res: { setHeader(n: string, v: string): void; end(b: string): void }) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ memberId: (getStytchAuth(req) as { memberId: string }).memberId }));
    });
    const { url } = await listen(app);
    await exercise(url);
  });

  it('mounting the middleware twice verifies once', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express4();
    app.use(auth);
    app.use(auth);
    app.get('/me', (req, res) => res.json({ status: getStytchAuth(req).status }));
    const { url } = await listen(app);
    const s = newSession(emu());
    expect((await get(`${url}/me`, { bearer: s.session_jwt })).body.status).toBe('signed_in');
    expect(auth.metrics()).toMatchObject({ localVerifications: 1, cacheHits: 0 });
  });
});
