import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors.js';

/** Options of {@link StytchB2BClient}; every field falls back to the environment or a default. */
export interface StytchClientOptions {
  /** Stytch project id. Default: `env.STYTCH_PROJECT_ID`. */
  projectId?: string;
  /** Stytch project secret. Default: `env.STYTCH_SECRET`. Never logged, never in an error. */
  secret?: string;
  /**
   * API origin, e.g. `https://api.stytch.com` or an emulator's `http://127.0.0.1:PORT`.
   * Default: `env.STYTCH_BASE_URL`, else chosen from the project id (`project-live-` → live API,
   * anything else → test API). Plain `http://` is accepted only for loopback hosts.
   */
  baseUrl?: string;
  /** Deadline of each call in milliseconds, retries and body included. Default 5000. */
  timeoutMs?: number;
  /** Retry policy for idempotent GET calls (POST/PUT/DELETE are never retried). */
  retry?: {
    /** Extra attempts after the first one. Default 2. */
    maxRetries?: number;
    /** First backoff delay in milliseconds; doubles each attempt, with jitter. Default 100. */
    baseDelayMs?: number;
  };
  /** Where environment fallbacks are read from. Default `process.env`, read once here. */
  env?: Record<string, string | undefined>;
  /** An undici dispatcher to send requests through (not closed by `client.close()`). */
  dispatcher?: Dispatcher;
  /** `User-Agent` header. Default `stytch-b2b-express/<version>`. */
  userAgent?: string;
  /** Cap on a response body in bytes; a bigger answer is a bad response. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** The public, secret-free view of a client's configuration. */
export interface StytchClientConfig {
  readonly projectId: string;
  /** API origin without a trailing slash. */
  readonly baseUrl: string;
  /** `<baseUrl>/v1/b2b/sessions/jwks/<projectId>`. */
  readonly jwksUrl: string;
  /**
   * Accepted JWT issuers: `stytch.com/<projectId>` and the base URL (reference 3.3). Frozen at
   * runtime; typed mutable only so it can be handed to jose's `issuer` option as is.
   */
  readonly issuers: string[];
  readonly timeoutMs: number;
}

/** Everything the client needs, resolved once. Internal: holds the secret. */
export interface ResolvedClientOptions {
  config: StytchClientConfig;
  secret: string;
  maxRetries: number;
  baseDelayMs: number;
  userAgent: string;
  maxResponseBytes: number;
  dispatcher: Dispatcher | undefined;
}

/** Live API origin (reference 1.1). */
export const STYTCH_LIVE_URL = 'https://api.stytch.com';
/** Test API origin (reference 1.1). */
export const STYTCH_TEST_URL = 'https://test.stytch.com';
/** Library version sent in the default User-Agent. */
export const LIBRARY_VERSION = '0.1.0';

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_BASE_DELAY_MS = 100;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
// Anything above ten minutes is almost certainly a unit mistake (seconds passed as ms * 1000).
const MAX_TIMEOUT_MS = 600_000;

/**
 * Resolves client options against the environment, once. This is the only place the library
 * reads `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and `STYTCH_BASE_URL`.
 *
 * @throws {ConfigError} naming the missing or invalid option (never echoing the secret).
 * @example
 * const { config } = resolveClientOptions({ projectId: 'project-test-…', secret: '…' });
 * config.baseUrl; // 'https://test.stytch.com'
 */
export function resolveClientOptions(options: StytchClientOptions = {}): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('StytchB2BClient options must be an object.');
  }
  const env = options.env ?? process.env;

  const projectId = pickString(options.projectId, env.STYTCH_PROJECT_ID);
  const secret = pickString(options.secret, env.STYTCH_SECRET);
  const missing = [
    projectId === undefined ? 'projectId (or STYTCH_PROJECT_ID)' : undefined,
    secret === undefined ? 'secret (or STYTCH_SECRET)' : undefined,
  ].filter((name): name is string => name !== undefined);
  if (projectId === undefined || secret === undefined) {
    throw new ConfigError(`Missing Stytch ${missing.join(' and ')}.`);
  }
  // Basic auth is `id:secret`; a colon in the id, or any control character, would make a header
  // that Stytch reads differently from what we meant (or that undici refuses at request time).
  if (projectId.includes(':') || hasControlChar(projectId)) {
    throw new ConfigError('projectId contains a character that is not allowed (colon or control character).');
  }
  if (hasControlChar(secret)) {
    throw new ConfigError('secret contains a control character.');
  }

  const explicitBase = pickString(options.baseUrl, env.STYTCH_BASE_URL);
  const baseUrl = explicitBase === undefined ? defaultBaseUrl(projectId) : normalizeBaseUrl(explicitBase);

  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
  const maxRetries = nonNegativeInteger('retry.maxRetries', options.retry?.maxRetries, DEFAULT_MAX_RETRIES, 10);
  const baseDelayMs = nonNegativeInteger('retry.baseDelayMs', options.retry?.baseDelayMs, DEFAULT_BASE_DELAY_MS, 60_000);
  const maxResponseBytes = positiveInteger('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 64 * 1024 * 1024);

  const userAgent = options.userAgent ?? `stytch-b2b-express/${LIBRARY_VERSION} node/${process.versions.node}`;
  if (typeof userAgent !== 'string' || userAgent === '' || hasControlChar(userAgent)) {
    throw new ConfigError('userAgent must be a non-empty string without control characters.');
  }

  const config: StytchClientConfig = Object.freeze({
    projectId,
    baseUrl,
    jwksUrl: `${baseUrl}/v1/b2b/sessions/jwks/${encodeURIComponent(projectId)}`,
    // The SDK accepts both: `stytch.com/<pid>` normally, the base URL without a trailing slash
    // when the API is reached through a custom domain or an emulator (reference 3.3).
    issuers: Object.freeze([`stytch.com/${projectId}`, baseUrl]) as string[],
    timeoutMs,
  });
  return { config, secret, maxRetries, baseDelayMs, userAgent, maxResponseBytes, dispatcher: options.dispatcher };
}

/**
 * Resolves only the public, secret-free configuration (for code that needs the JWKS URL or the
 * issuers without building a client). Same rules and errors as the client constructor.
 */
export function resolveClientConfig(options: StytchClientOptions = {}): StytchClientConfig {
  return resolveClientOptions(options).config;
}

/**
 * Whether `hostname` (as `URL.hostname` spells it) is a loopback host: `localhost`,
 * `127.0.0.0/8` or `::1`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  // URL has already canonicalised IPv4 forms (hex, octal, short) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function defaultBaseUrl(projectId: string): string {
  // Same rule as every official SDK: only `project-live-` ids go live (reference 1.1).
  return projectId.startsWith('project-live-') ? STYTCH_LIVE_URL : STYTCH_TEST_URL;
}

function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('baseUrl (or STYTCH_BASE_URL) is not a valid absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('baseUrl must use https:// (or http:// for a loopback host).');
  }
  // Plain HTTP would send the project secret in clear text: only allowed where it never leaves
  // the machine (an emulator on loopback).
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError('baseUrl uses http:// for a non-loopback host; use https://.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('baseUrl must not contain credentials.');
  }
  // Every API path is absolute (`/v1/...`), so a path prefix would be silently dropped, as the
  // official SDK does (reference 1.1). Refuse it rather than surprise the caller.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new ConfigError('baseUrl must be an origin only (no path, query or fragment).');
  }
  return url.origin;
}

function pickString(option: unknown, fromEnv: string | undefined): string | undefined {
  if (option !== undefined && option !== null) {
    if (typeof option !== 'string') throw new ConfigError('projectId, secret and baseUrl must be strings.');
    const trimmed = option.trim();
    if (trimmed !== '') return trimmed;
    return undefined;
  }
  const value = fromEnv?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function hasControlChar(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(value);
}

function positiveInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new ConfigError(`${name} must be a number between 1 and ${max}.`);
  }
  return Math.ceil(value);
}

function nonNegativeInteger(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ConfigError(`${name} must be an integer between 0 and ${max}.`);
  }
  return value;
}
