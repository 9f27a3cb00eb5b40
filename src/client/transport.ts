import { inspect } from 'node:util';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { BadRequestError, StytchApiError, StytchUnavailableError } from '../errors.js';
import type { ResolvedClientOptions } from './config.js';

/** Per-call options accepted by every client method. */
export interface CallOptions {
  /** Deadline of this call in milliseconds (overrides the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Aborts the call; the call then rejects with `StytchUnavailableError('upstream_network')`. */
  signal?: AbortSignal;
  /**
   * Run the call as a Member: sent as `X-Stytch-Member-Session` / `X-Stytch-Member-SessionJWT`,
   * so Stytch applies that Member's RBAC permissions (reference 1.2).
   */
  authorization?: { session_token?: string; session_jwt?: string };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One API call as the area modules describe it. */
export interface ApiRequest {
  method: HttpMethod;
  /** Absolute path, already encoded (build it with {@link apiPath}). */
  path: string;
  /** GET parameters; `undefined` values are skipped. */
  query?: Record<string, unknown> | undefined;
  /** JSON object body, required for POST/PUT. DELETE always sends `{}`, GET never sends a body. */
  body?: unknown;
  /** `false` for the public JWKS and OAuth2 token endpoints: no Basic auth header is sent. */
  authenticated?: boolean;
  /** Send these fields form-urlencoded instead of a JSON body (the OAuth2 token endpoint). */
  form?: Record<string, string | undefined>;
}

/**
 * Builds an API path, URL-encoding every interpolated value. A path parameter must be a
 * non-empty string that is not `.` or `..`: an empty or dot segment would silently address a
 * different endpoint (e.g. `DELETE /organizations/` or a parent path).
 *
 * @throws {BadRequestError} `invalid_path_parameter` for a missing or unusable parameter.
 */
export function apiPath(strings: TemplateStringsArray, ...params: unknown[]): string {
  let out = strings[0] ?? '';
  params.forEach((param, i) => {
    if (typeof param !== 'string' || param === '' || param === '.' || param === '..') {
      throw new BadRequestError('invalid_path_parameter', `Path parameter ${i + 1} of ${strings.join('{}')} must be a non-empty string.`);
    }
    out += encodeURIComponent(param) + (strings[i + 1] ?? '');
  });
  return out;
}

/** Thrown into the AbortController when the call's deadline passes, so we can tell it apart. */
class DeadlineExceeded extends Error {}

/** Outcome of one attempt: a value, or an error plus whether a GET may try again (and when). */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: Error; retryable: boolean; retryAfterMs?: number };

/**
 * The HTTP layer of {@link StytchB2BClient}: one keep-alive undici pool, Basic auth, a deadline
 * on every call, bounded retries for GETs, and strict response parsing. Holds the credentials in
 * private fields and never prints them.
 */
export class Transport {
  readonly #origin: string;
  readonly #basicAuth: string;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxResponseBytes: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closed = false;

  constructor(resolved: ResolvedClientOptions) {
    this.#origin = resolved.config.baseUrl;
    this.#basicAuth = `Basic ${Buffer.from(`${resolved.config.projectId}:${resolved.secret}`, 'utf8').toString('base64')}`;
    this.#userAgent = resolved.userAgent;
    this.#timeoutMs = resolved.config.timeoutMs;
    this.#maxRetries = resolved.maxRetries;
    this.#baseDelayMs = resolved.baseDelayMs;
    this.#maxResponseBytes = resolved.maxResponseBytes;
    if (resolved.dispatcher !== undefined) {
      this.#dispatcher = resolved.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      // One keep-alive pool per client: TLS and TCP set-up is paid once, not per request.
      this.#dispatcher = new Pool(this.#origin, { connections: 64, pipelining: 1, keepAliveTimeout: 4_000 });
      this.#ownsDispatcher = true;
    }
  }

  /**
   * Sends `request` and resolves with the parsed JSON object of a 2xx answer. A function is
   * called here, so a bad path parameter becomes a rejection rather than a synchronous throw.
   */
  async send<T>(requestOrBuild: ApiRequest | (() => ApiRequest), options: CallOptions = {}): Promise<T> {
    let request: ApiRequest;
    try {
      request = typeof requestOrBuild === 'function' ? requestOrBuild() : requestOrBuild;
    } catch (error) {
      if (error instanceof BadRequestError) throw error;
      // e.g. a JavaScript caller passing no request object at all.
      throw new BadRequestError('invalid_request', 'The request must be an object.', { cause: error });
    }
    options ??= {};
    if (this.#closed) {
      throw new StytchUnavailableError('upstream_network', 'The Stytch client has been closed.');
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new BadRequestError('invalid_timeout', 'timeoutMs must be a positive number.');
    }
    const { path, headers, body } = this.#prepare(request, options);

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineExceeded('deadline')), timeoutMs);
    const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, options.signal]);
    const endsAt = performance.now() + timeoutMs;
    // Only idempotent reads are retried: every POST in this API either consumes a single-use
    // token or creates something, so sending it twice is never safe.
    const maxAttempts = request.method === 'GET' ? this.#maxRetries + 1 : 1;
    try {
      for (let attempt = 1; ; attempt++) {
        const result = await this.#attempt<T>(request.method, path, headers, body, signal, endsAt);
        if (result.ok) return result.value;
        if (!result.retryable || attempt >= maxAttempts) throw result.error;
        const backoff = result.retryAfterMs ?? this.#backoff(attempt);
        const remaining = endsAt - performance.now();
        // A wait that would end past the deadline cannot help: fail now with the real cause.
        if (backoff >= remaining) throw result.error;
        await sleep(backoff, signal);
        if (signal.aborted) throw this.#abortError(deadline.signal, options.signal, undefined);
      }
    } catch (error) {
      if (error instanceof StytchApiError || error instanceof StytchUnavailableError) throw error;
      throw this.#abortError(deadline.signal, options.signal, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Destroys the pool (if this transport created it). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.destroy();
  }

  [inspect.custom](): string {
    return `Transport { origin: '${this.#origin}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { origin: this.#origin };
  }

  #prepare(request: ApiRequest, options: CallOptions): { path: string; headers: Record<string, string>; body: string | undefined } {
    let path = request.path;
    if (request.query !== undefined) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query)) {
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new BadRequestError('invalid_request', `Query parameter ${key} must be a string, number or boolean.`);
        }
        params.append(key, String(value));
      }
      const qs = params.toString();
      if (qs !== '') path += `?${qs}`;
    }
    const headers: Record<string, string> = {
      // The official SDK sends a JSON content type on every call, GETs included (reference 1.2).
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (request.authenticated !== false) headers.authorization = this.#basicAuth;
    const auth = options.authorization;
    if (auth !== undefined && auth !== null) {
      if (auth.session_token !== undefined) headers['x-stytch-member-session'] = headerValue(auth.session_token);
      if (auth.session_jwt !== undefined) headers['x-stytch-member-sessionjwt'] = headerValue(auth.session_jwt);
    }
    let body: string | undefined;
    if (request.form !== undefined) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(request.form)) {
        if (value === undefined) continue;
        if (typeof value !== 'string') throw new BadRequestError('invalid_request', `Form field ${key} must be a string.`);
        params.append(key, value);
      }
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = params.toString();
    } else if (request.method === 'DELETE') {
      body = '{}';
    } else if (request.method !== 'GET') {
      const payload: unknown = request.body;
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new BadRequestError('invalid_request', 'The request must be an object.');
      }
      body = JSON.stringify(payload);
    }
    return { path, headers, body };
  }

  async #attempt<T>(
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    endsAt: number,
  ): Promise<Attempt<T>> {
    const remaining = Math.max(1, Math.ceil(endsAt - performance.now()));
    let response: Dispatcher.ResponseData;
    try {
      response = await this.#dispatcher.request({
        origin: this.#origin,
        path,
        method,
        headers,
        body,
        signal,
        // Belt and braces with the abort signal: undici's own timers end a silent server even
        // if the signal were somehow missed. bodyTimeout is per-chunk idle time, so a trickled
        // body is ended by the signal, not by this.
        headersTimeout: remaining,
        bodyTimeout: remaining,
      });
    } catch (error) {
      if (signal.aborted) throw error; // deadline or caller abort: mapped by send()
      return { ok: false, error: networkError(error), retryable: true };
    }

    const { statusCode } = response;
    let text: string;
    try {
      text = await readCapped(response.body, this.#maxResponseBytes, response.headers['content-length']);
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof StytchUnavailableError) return { ok: false, error, retryable: false };
      return { ok: false, error: networkError(error), retryable: true };
    }

    if (statusCode === 429) {
      const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      return {
        ok: false,
        error: new StytchUnavailableError('upstream_rate_limited', 'Stytch rate limited the request (HTTP 429).', { retryAfterSeconds }),
        retryable: true,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterMs: retryAfterSeconds * 1000 }),
      };
    }
    if (statusCode >= 500) {
      const errorType = parseJsonObject(text)?.error_type;
      const suffix = typeof errorType === 'string' && /^[a-z0-9_]{1,64}$/.test(errorType) ? ` ${errorType}` : '';
      return {
        ok: false,
        error: new StytchUnavailableError('upstream_unavailable', `Stytch answered HTTP ${statusCode}${suffix}.`),
        retryable: true,
      };
    }
    const json = parseJsonObject(text);
    if (json === undefined) {
      return {
        ok: false,
        error: new StytchUnavailableError('upstream_bad_response', `Stytch answered HTTP ${statusCode} with a body that is not a JSON object.`),
        retryable: false,
      };
    }
    if (statusCode >= 400) {
      return { ok: false, error: apiError(statusCode, json, response.headers['retry-after']), retryable: false };
    }
    if (statusCode < 200 || statusCode >= 300) {
      return {
        ok: false,
        error: new StytchUnavailableError('upstream_bad_response', `Stytch answered with unexpected HTTP ${statusCode}.`),
        retryable: false,
      };
    }
    return { ok: true, value: json as T };
  }

  #backoff(attempt: number): number {
    // Exponential with "equal jitter": half fixed, half random, so concurrent callers spread out
    // while every caller still waits a meaningful minimum.
    const ceiling = this.#baseDelayMs * 2 ** (attempt - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #abortError(deadline: AbortSignal, caller: AbortSignal | undefined, cause: unknown): StytchUnavailableError {
    if (deadline.aborted || isTimeoutError(cause)) {
      return new StytchUnavailableError('upstream_timeout', 'Stytch did not answer before the deadline.', { cause: safeCause(cause) });
    }
    if (caller?.aborted === true) {
      return new StytchUnavailableError('upstream_network', 'The Stytch request was aborted by the caller.', { cause: safeCause(cause) });
    }
    return networkError(cause);
  }
}

function headerValue(value: unknown): string {
  // A CR/LF in a header would be refused by undici with a message we do not control; refuse it
  // here with a clean error instead (and without echoing the value).
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new BadRequestError('invalid_authorization', 'options.authorization values must be non-empty strings without control characters.');
  }
  return value;
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, contentLength: string | string[] | undefined): Promise<string> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Destroying an unread undici body emits an AbortError; swallow it, we throw our own.
    body.on('error', () => undefined);
    body.destroy();
    throw new StytchUnavailableError('upstream_bad_response', `Stytch answered with a body larger than ${maxBytes} bytes.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let oversized = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      oversized = true;
      break; // leaving the loop destroys the stream (and the connection) cleanly
    }
    chunks.push(chunk);
  }
  if (oversized) {
    throw new StytchUnavailableError('upstream_bad_response', `Stytch answered with a body larger than ${maxBytes} bytes.`);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function apiError(status: number, body: Record<string, unknown>, retryAfter: string | string[] | undefined): StytchApiError {
  // Stytch's own shape (reference 1.5), or an OAuth2-style `error`/`error_description` body, which
  // the official SDK maps onto the same fields (reference 1.3).
  const errorType = stringField(body.error_type) ?? stringField(body.error) ?? `http_${status}`;
  const errorMessage = stringField(body.error_message) ?? stringField(body.error_description) ?? '';
  return new StytchApiError({
    status,
    errorType,
    errorMessage,
    requestId: stringField(body.request_id),
    errorDetails: body.error_details,
    retryAfterSeconds: parseRetryAfter(retryAfter),
  });
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `Retry-After` as whole seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(header: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isTimeoutError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || error instanceof DeadlineExceeded;
}

function networkError(error: unknown): StytchUnavailableError {
  if (error instanceof StytchUnavailableError) return error;
  if (isTimeoutError(error)) {
    return new StytchUnavailableError('upstream_timeout', 'Stytch did not answer before the deadline.', { cause: safeCause(error) });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
  return new StytchUnavailableError('upstream_network', `Could not reach Stytch${detail}.`, { cause: safeCause(error) });
}

/**
 * Keeps a cause for debugging but only as a plain error with name, message and code: undici
 * errors can hold references to sockets and requests, which must not be serialized into logs.
 */
function safeCause(error: unknown): Error | undefined {
  if (error === undefined || error instanceof DeadlineExceeded) return undefined;
  if (!(error instanceof Error)) return undefined;
  const copy = new Error(error.message);
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code: string }).code = code;
  return copy;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
