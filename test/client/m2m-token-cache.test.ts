/**
 * The outbound M2M token helper against a scripted token endpoint: one fetch shared by
 * concurrent callers, reuse until shortly before expiry, a retry after a failure.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { M2MTokenCache, StytchB2BClient } from '../../src/client/index.js';
import { ConfigError, StytchApiError } from '../../src/errors.js';
import { PROJECT_ID, SECRET, json, startScriptedServer } from './support.js';
import type { ScriptedServer } from './support.js';

let server: ScriptedServer;
let client: StytchB2BClient;
let clock = 1_000_000;
const now = (): number => clock;

beforeAll(async () => {
  server = await startScriptedServer();
  client = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, baseUrl: server.url, retry: { maxRetries: 0 }, env: {} });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
  clock = 1_000_000;
  server.handle((_req, res, n) => json(res, 200, { access_token: `token-${n}`, token_type: 'bearer', expires_in: 3600, request_id: 'r', status_code: 200 }));
});

const cacheOf = (extra: Partial<ConstructorParameters<typeof M2MTokenCache>[0]> = {}): M2MTokenCache =>
  new M2MTokenCache({ m2m: client.m2m, clientId: 'm2m-client-test-1', clientSecret: 'secret-1', scopes: ['read:documents'], now, ...extra });

describe('M2MTokenCache', () => {
  it('shares one token fetch between concurrent callers', async () => {
    const tokens = cacheOf();
    const got = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(got).toEqual(['token-1', 'token-1', 'token-1']);
    expect(server.received).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(server.received[0]!.body))).toMatchObject({ scope: 'read:documents', grant_type: 'client_credentials' });
  });

  it('reuses the token until refreshBeforeSeconds before it expires, then fetches a new one', async () => {
    const tokens = cacheOf({ refreshBeforeSeconds: 60 });
    expect(await tokens.getToken()).toBe('token-1');
    clock += (3600 - 61) * 1000;
    expect(await tokens.getToken()).toBe('token-1');
    clock += 1000;
    expect(await tokens.getToken()).toBe('token-2');
    expect(server.received).toHaveLength(2);
  });

  it('does not remember a failed fetch: the next call asks again', async () => {
    server.handle((_req, res) => json(res, 400, { error: 'invalid_client', error_description: 'Bad client.' }));
    const tokens = cacheOf();
    await expect(tokens.getToken()).rejects.toMatchObject({ constructor: StytchApiError, code: 'invalid_client' });
    server.handle((_req, res) => json(res, 200, { access_token: 'fresh', token_type: 'bearer', expires_in: 3600, request_id: 'r', status_code: 200 }));
    expect(await tokens.getToken()).toBe('fresh');
  });

  it('clear() drops the cached token', async () => {
    const tokens = cacheOf();
    await tokens.getToken();
    tokens.clear();
    expect(await tokens.getToken()).toBe('token-2');
  });

  it('never caches a token that would already be inside the refresh margin', async () => {
    server.handle((_req, res, n) => json(res, 200, { access_token: `short-${n}`, token_type: 'bearer', expires_in: 30, request_id: 'r', status_code: 200 }));
    const tokens = cacheOf({ refreshBeforeSeconds: 60 });
    expect(await tokens.getToken()).toBe('short-1');
    expect(await tokens.getToken()).toBe('short-2');
  });

  it('refuses missing credentials at construction, and never prints the secret', () => {
    expect(() => cacheOf({ clientSecret: '' })).toThrow(ConfigError);
    expect(JSON.stringify(cacheOf())).not.toContain('secret-1');
  });
});
