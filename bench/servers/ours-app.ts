/**
 * Builds the "ours" scenario apps: `stytchAuth()` mounted app-wide, then one guarded route, the
 * way the README shows it. The middleware's own counters are reported after each round, so the
 * results show which path (cache, local RS256, network) actually served the requests.
 */
import express from 'express';
import { requireAuth, requirePermission, requireScope, stytchAuth } from '../../src/index.js';
import type { StytchAuthOptions } from '../../src/index.js';
import { OK_BODY, ROUTE, requireEmulator } from './serve.js';
import type { ScenarioApp } from './serve.js';
import type { ScenarioStartArgs } from '../lib/child.js';

/** Options of {@link buildOursApp}. */
export interface OursAppOptions {
  /** `auth`: `requireAuth()`; `permission`: `requirePermission()` on the benchmark resource (local, cached policy); `scope`: `requireScope('read:documents')`. */
  readonly guard: 'auth' | 'permission' | 'scope';
  /** Extra `stytchAuth()` options for this scenario. */
  readonly auth?: Partial<StytchAuthOptions>;
}

/** One guarded route behind `stytchAuth()`, talking to the emulator child. */
export function buildOursApp(args: ScenarioStartArgs, options: OursAppOptions): ScenarioApp {
  const emulator = requireEmulator(args);
  const auth = stytchAuth({ projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, ...options.auth });
  const guard =
    options.guard === 'permission' ? requirePermission(emulator.permission.resourceId, emulator.permission.action) : options.guard === 'scope' ? requireScope('read:documents') : requireAuth();
  const app = express();
  app.use(auth);
  app.get(ROUTE, guard, (_req, res) => {
    res.json(OK_BODY);
  });
  return {
    handler: app,
    close: () => auth.close(),
    stats() {
      const m = auth.metrics();
      const rejected = Object.values(m.rejections).reduce((sum, n) => sum + n, 0);
      return {
        cacheHits: m.cacheHits,
        localVerifications: m.localVerifications,
        networkAuthentications: m.networkAuthentications,
        jwksFetches: m.jwksFetches,
        rejected,
        verifiedCacheSize: m.verifiedCacheSize,
      };
    },
  };
}
