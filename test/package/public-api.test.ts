import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as emulator from '../../src/emulator/index.js';

/** The public surface, guarded: a change here is a change of the package's API. */
const ROOT_EXPORTS = [
  'AuthenticationError',
  'AuthorizationError',
  'BadRequestError',
  'ConfigError',
  'M2MTokenCache',
  'MiddlewareNotMountedError',
  'ORGANIZATION_CLAIM',
  'PolicyCache',
  'SESSION_CLAIM',
  'StytchApiError',
  'StytchB2BClient',
  'StytchExpressError',
  'StytchUnavailableError',
  'TooManyAttemptsError',
  'clearSessionCookies',
  'createCan',
  'createGuard',
  'createStore',
  'csrfProtection',
  'evaluateAuthorization',
  'getAuthorizationVerdict',
  'getStytchAuth',
  'getStytchContext',
  'isSafeReturnTo',
  'memoryStore',
  'policyFetchers',
  'redisStore',
  'requireAuth',
  'requireFreshAuth',
  'requirePermission',
  'requireRole',
  'requireScope',
  'resolveClientConfig',
  'safeReturnTo',
  'setSessionCookies',
  'stytchAdminRoutes',
  'stytchAuth',
  'stytchRoutes',
];
const EMULATOR_EXPORTS = ['startEmulator', 'totp'];

const dist = new URL('../../dist/', import.meta.url);
const hasDist = existsSync(new URL('index.cjs', dist));
// CI builds first and sets REQUIRE_DIST=1: there a missing build is a failure, not a skip.
const requireDist = process.env.REQUIRE_DIST === '1';
if (!hasDist && !requireDist) console.log('SKIPPED: package build checks (no dist/; run `npm run build` first).');

describe('public API', () => {
  it('exports exactly the documented names from the root entry point', () => {
    expect(Object.keys(root).sort()).toEqual(ROOT_EXPORTS);
  });

  it('exports exactly the documented names from the emulator entry point', () => {
    expect(Object.keys(emulator).sort()).toEqual(EMULATOR_EXPORTS);
  });
});

describe.skipIf(!hasDist && !requireDist)('built package', () => {
  const require = createRequire(import.meta.url);

  it('loads through CommonJS require with the same names as the source', () => {
    expect(Object.keys(require('../../dist/index.cjs') as object).sort()).toEqual(ROOT_EXPORTS);
    expect(Object.keys(require('../../dist/emulator/index.cjs') as object).sort()).toEqual(EMULATOR_EXPORTS);
  });

  it('loads through ESM import with the same names as the source', async () => {
    const esm = (await import(new URL('index.js', dist).href)) as object;
    const esmEmulator = (await import(new URL('emulator/index.js', dist).href)) as object;
    expect(Object.keys(esm).sort()).toEqual(ROOT_EXPORTS);
    expect(Object.keys(esmEmulator).sort()).toEqual(EMULATOR_EXPORTS);
  });

  it('ships type declarations for both formats and an executable CLI', () => {
    for (const file of ['index.d.ts', 'index.d.cts', 'emulator/index.d.ts', 'emulator/index.d.cts']) {
      expect(existsSync(new URL(file, dist)), file).toBe(true);
    }
    expect(readFileSync(new URL('emulator/cli.js', dist), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('resolves every path of the exports map to a built file', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> };
    const targets: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(pkg.exports);
    walk(pkg.bin);
    for (const target of targets) expect(existsSync(new URL(`../../${target}`, import.meta.url)), target).toBe(true);
  });
});
