import { describe, expect, it } from 'vitest';
import { StytchB2BClient } from '../../src/client/client.js';
import { ConfigError } from '../../src/errors.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { useEmulator } from '../helpers/emulator.js';
import { emulatorOptions, get, newSession, onCleanup, startApp } from './support.js';

const emu = useEmulator();

function configError(options: StytchAuthOptions): ConfigError {
  try {
    stytchAuth(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('stytchAuth() options', () => {
  it('catalogue #99: a missing project id or secret is an error at construction', () => {
    expect(configError({ env: {} }).code).toBe('config_error');
    expect(configError({ projectId: 'project-test-x', env: {} }).message).toContain('secret');
  });

  it.each([
    ['maxTokenAgeSeconds', { maxTokenAgeSeconds: -1 }],
    ['clockToleranceSeconds', { clockToleranceSeconds: 3600 }],
    ['sessionDurationMinutes', { sessionDurationMinutes: 1 }],
    ['maxTokenBytes', { maxTokenBytes: 10 }],
    ['verifiedCacheSize', { verifiedCacheSize: 1.5 }],
    ['circuitBreaker.failureThreshold', { circuitBreaker: { failureThreshold: 0 } }],
    ['jwks.maxAgeMs', { jwks: { maxAgeMs: 5 } }],
    ['loginUrl', { loginUrl: '/login\r\nSet-Cookie: x=1' }],
    ['loginUrl', { loginUrl: 'javascript:alert(1)' }],
    ['mfaUrl', { mfaUrl: 'not a url' }],
    ['sameSite', { sameSite: 'none' as never }],
    ['secure', { secure: 'sometimes' as never }],
    ['now', { now: 5 as never }],
  ])('a bad %s is a ConfigError naming the option', (option, extra) => {
    expect(configError(emulatorOptions(emu(), extra)).message).toContain(`"${option}"`);
  });

  it('never mutates the caller options object', () => {
    const options = Object.freeze(emulatorOptions(emu(), { cookies: Object.freeze({ jwt: 'a' }), jwks: Object.freeze({ maxAgeMs: 60_000 }) }));
    const auth = stytchAuth(options);
    onCleanup(() => auth.close());
    expect(auth.context.config.cookies.jwt).toBe('a');
  });

  it('environment fallbacks go through the client resolver, read once from the env option', () => {
    const env = { STYTCH_PROJECT_ID: emu().projectId, STYTCH_SECRET: emu().secret, STYTCH_BASE_URL: emu().url };
    const auth = stytchAuth({ env, now: () => emu().clock.now() });
    onCleanup(() => auth.close());
    env.STYTCH_PROJECT_ID = 'project-test-changed';
    expect(auth.context.client.config.projectId).toBe(emu().projectId);
  });

  it('a shared client is used as given and not closed by the middleware', async () => {
    const client = new StytchB2BClient({ projectId: emu().projectId, secret: emu().secret, baseUrl: emu().url, env: {} });
    onCleanup(() => client.close());
    const app = await startApp(emu(), { client });
    expect(app.auth.context.client).toBe(client);
    await app.auth.close();
    const s = newSession(emu());
    expect((await client.sessions.authenticate({ session_token: s.session_token })).member_session.member_id).toBe(s.member_id);
  });

  it('custom cookie names are honoured', async () => {
    const app = await startApp(emu(), { cookies: { jwt: 'sid_jwt', token: 'sid' } });
    const s = newSession(emu());
    expect((await get(`${app.url}/me`, { cookie: `sid_jwt=${s.session_jwt}` })).body.status).toBe('signed_in');
    expect((await get(`${app.url}/me`, { cookie: `stytch_session_jwt=${s.session_jwt}` })).body.reason).toBe('no_credentials');
  });

  it('the verified-token cache can be turned off', async () => {
    const app = await startApp(emu(), { verifiedCacheSize: 0 });
    const s = newSession(emu());
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    await get(`${app.url}/me`, { bearer: s.session_jwt });
    expect(app.auth.metrics()).toMatchObject({ localVerifications: 2, cacheHits: 0 });
  });
});

describe('stytchAuth() option names', () => {
  it('refuses a misspelled option at startup and suggests the right name', () => {
    const error = configError({ ...emulatorOptions(emu()), loginURL: '/login' } as unknown as StytchAuthOptions);
    expect(error.code).toBe('config_error');
    expect(error.message).toBe('stytchAuth(): unknown option "loginURL". Did you mean "loginUrl"?');
  });

  it('checks nested groups by their path', () => {
    const error = configError({ ...emulatorOptions(emu()), cookies: { pathh: '/' } } as unknown as StytchAuthOptions);
    expect(error.message).toBe('stytchAuth(): unknown option "cookies.pathh". Did you mean "cookies.path"?');
  });

  it('keeps the old top-level cookie options working, with one deprecation warning through the logger', () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { warn: (obj: Record<string, unknown>) => warnings.push(obj) };
    const auth = stytchAuth({ ...emulatorOptions(emu()), logger, cookiePath: '/app', sameSite: 'strict' });
    onCleanup(() => auth.close());
    expect(auth.context.config.cookies).toMatchObject({ path: '/app', sameSite: 'strict' });
    // Once per process and option (an earlier test in this file already used `sameSite`).
    const deprecations = () => warnings.filter((w) => w.event === 'stytch.deprecated_option' && w.option === 'cookiePath');
    expect(deprecations()).toEqual([expect.objectContaining({ replacement: 'cookies.path' })]);
    const again = stytchAuth({ ...emulatorOptions(emu()), logger, cookiePath: '/app' });
    onCleanup(() => again.close());
    expect(deprecations()).toHaveLength(1);
  });

  it('refuses an old name and its new name given together', () => {
    expect(configError({ ...emulatorOptions(emu()), cookiePath: '/a', cookies: { path: '/b' } }).message).toContain('"cookiePath"');
  });
});
