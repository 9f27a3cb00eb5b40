import { describe, expect, it } from 'vitest';
import { StytchB2BClient, isLoopbackHost, resolveClientConfig } from '../../src/client/index.js';
import { ConfigError } from '../../src/errors.js';
import { PROJECT_ID, SECRET } from './support.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('client configuration', () => {
  it('names a missing project id without echoing the secret', () => {
    const error = configError(() => new StytchB2BClient({ secret: SECRET, env: {} }));
    expect(error.code).toBe('config_error');
    expect(error.status).toBe(500);
    expect(error.message).toContain('projectId');
    expect(error.message).not.toContain(SECRET);
  });

  it('names a missing secret', () => {
    const error = configError(() => new StytchB2BClient({ projectId: PROJECT_ID, env: {} }));
    expect(error.code).toBe('config_error');
    expect(error.message).toContain('secret');
    expect(error.message).not.toContain('projectId');
  });

  it('treats blank values as missing', () => {
    const error = configError(() => resolveClientConfig({ projectId: '  ', secret: '', env: {} }));
    expect(error.message).toContain('projectId');
    expect(error.message).toContain('secret');
  });

  it('falls back to the given environment once, options first', () => {
    const env = { STYTCH_PROJECT_ID: 'project-live-from-env', STYTCH_SECRET: 'env-secret', STYTCH_BASE_URL: 'http://127.0.0.1:4010' };
    expect(resolveClientConfig({ env })).toMatchObject({ projectId: 'project-live-from-env', baseUrl: 'http://127.0.0.1:4010' });
    expect(resolveClientConfig({ env, projectId: PROJECT_ID, baseUrl: 'https://auth.example.com' })).toMatchObject({
      projectId: PROJECT_ID,
      baseUrl: 'https://auth.example.com',
    });
  });

  it('chooses the live API only for project-live- ids', () => {
    expect(resolveClientConfig({ projectId: 'project-live-1', secret: 's', env: {} }).baseUrl).toBe('https://api.stytch.com');
    expect(resolveClientConfig({ projectId: 'project-test-1', secret: 's', env: {} }).baseUrl).toBe('https://test.stytch.com');
    expect(resolveClientConfig({ projectId: 'something-else', secret: 's', env: {} }).baseUrl).toBe('https://test.stytch.com');
  });

  it('derives the JWKS URL and the accepted issuers from the base URL', () => {
    const config = resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, baseUrl: 'http://127.0.0.1:4010/', env: {} });
    expect(config.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.jwksUrl).toBe(`http://127.0.0.1:4010/v1/b2b/sessions/jwks/${PROJECT_ID}`);
    expect(config.issuers).toEqual([`stytch.com/${PROJECT_ID}`, 'http://127.0.0.1:4010']);
    expect(config.timeoutMs).toBe(5000);
  });

  it('refuses plain http to a non-loopback host', () => {
    for (const baseUrl of ['http://api.stytch.com', 'http://10.0.0.1:4010', 'http://127.0.0.1.example.com']) {
      expect(configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, baseUrl, env: {} })).code).toBe('config_error');
    }
  });

  it('accepts plain http to loopback hosts', () => {
    for (const baseUrl of ['http://localhost:1', 'http://127.5.6.7:2', 'http://[::1]:3']) {
      expect(resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, baseUrl, env: {} }).baseUrl).toBe(baseUrl);
    }
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('refuses a base URL with a path, credentials, another scheme or no scheme', () => {
    for (const baseUrl of ['https://auth.example.com/api', 'https://user:pw@auth.example.com', 'ftp://auth.example.com', 'auth.example.com', 'https://a.example.com/?x=1']) {
      const error = configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, baseUrl, env: {} }));
      expect(error.code).toBe('config_error');
      expect(error.message).not.toContain('pw');
    }
  });

  it('refuses a bad timeout or retry option, naming it', () => {
    expect(configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, timeoutMs: 0, env: {} })).message).toContain('timeoutMs');
    expect(configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, timeoutMs: Number.NaN, env: {} })).message).toContain('timeoutMs');
    expect(configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: SECRET, retry: { maxRetries: -1 }, env: {} })).message).toContain('retry.maxRetries');
  });

  it('refuses a project id with a colon and a secret with a line break', () => {
    expect(configError(() => resolveClientConfig({ projectId: 'project:x', secret: SECRET, env: {} })).message).toContain('projectId');
    const error = configError(() => resolveClientConfig({ projectId: PROJECT_ID, secret: 'abc\r\ndef', env: {} }));
    expect(error.message).not.toContain('abc');
  });

  it('exposes a frozen config without the secret', () => {
    const client = new StytchB2BClient({ projectId: PROJECT_ID, secret: SECRET, env: {} });
    expect(Object.isFrozen(client.config)).toBe(true);
    expect(JSON.stringify(client.config)).not.toContain(SECRET);
    expect(Object.values(client.config)).not.toContain(SECRET);
    return client.close();
  });
});
