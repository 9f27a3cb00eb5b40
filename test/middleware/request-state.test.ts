/**
 * The auth object and the request context live in a private field of the request: invisible to
 * reflection and logging, and impossible to copy or forge from outside the library.
 */
import express from 'express';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { getStytchAuth, hasStytchAuth } from '../../src/middleware/auth-object.js';
import { findStytchContext } from '../../src/middleware/context.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { emulatorOptions, get, listen, newSession, onCleanup } from './support.js';

const emu = useEmulator();
afterEach(() => {
  settleFaults(emu());
});

describe('request state', () => {
  it('adds no visible property to the request, and inspect() never shows the attached identity', async () => {
    const auth = stytchAuth(emulatorOptions(emu()));
    onCleanup(() => auth.close());
    const app = express();
    let keysBefore: (string | symbol)[] = [];
    app.use((req, _res, next) => {
      keysBefore = Reflect.ownKeys(req);
      next();
    });
    app.use(auth);
    let keysAfter: (string | symbol)[] = [];
    app.use((req, _res, next) => {
      keysAfter = Reflect.ownKeys(req);
      next();
    });
    app.get('/x', requireAuth(), (req, res) => {
      const copy = Object.assign(Object.create(Object.getPrototypeOf(req) as object) as object, req);
      res.json({
        added: keysAfter.filter((key) => !keysBefore.includes(key)).map(String),
        signedIn: getStytchAuth(req).isAuthenticated,
        copyHasAuth: hasStytchAuth(copy),
        copyHasContext: findStytchContext(copy) !== undefined,
        inspected: inspect(req, { depth: 4 }),
      });
    });
    const { url } = await listen(app);
    const { session_jwt, member_id } = newSession(emu());
    // Twice: the second request is served from the verified-token cache (the warm path).
    for (let i = 0; i < 2; i++) {
      const res = await get(`${url}/x`, { bearer: session_jwt });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ added: [], signedIn: true, copyHasAuth: false, copyHasContext: false });
      // The headers carry the token anyway; what must not show is what we attached (the identity).
      expect(res.body.inspected).not.toContain(member_id);
    }
  });
});
