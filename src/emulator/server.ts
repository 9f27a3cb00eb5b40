/**
 * The HTTP edge of the emulator: Basic auth, body parsing with a size cap, scripted faults, the
 * call log, and Stytch-shaped JSON for every answer (success, error, unknown route, bug).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody } from './http-errors.js';
import type { FaultQueue } from './faults.js';
import { OAuthError } from './m2m.js';
import type { PageHandler, RouteRequest, Router } from './router.js';
import type { EmulatorState } from './state.js';
import type { EmulatorCall, EmulatorFault } from './types.js';
import { isPlainObject, type Body } from './validate.js';

export interface ServerParts {
  state: EmulatorState;
  api: Router;
  control: Router;
  faults: FaultQueue;
  maxBodyBytes: number;
}

const CONTROL_PREFIX = '/__emulator/';
/** The call log keeps the most recent calls only. */
const MAX_CALLS = 100_000;

export function createHandler(parts: ServerParts): (req: IncomingMessage, res: ServerResponse) => void {
  const { state } = parts;
  const expectedAuth = `Basic ${Buffer.from(`${state.settings.projectId}:${state.settings.secret}`).toString('base64')}`;

  return function emulatorHandler(req, res) {
    handle(parts, expectedAuth, req, res).catch((error: unknown) => {
      // Last resort: a bug escaped every other guard. Answer JSON rather than hang up.
      if (!state.settings.quiet) console.error('[stytch-emulator] internal error', error);
      if (!res.headersSent && !res.destroyed) send(res, 500, errorBody(500, 'internal_server_error', 'Oops, something seems to have gone wrong.', requestId()));
    });
  };
}

function requestId(): string {
  return `request-id-test-${randomUUID()}`;
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function handle(parts: ServerParts, expectedAuth: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { state } = parts;
  const id = requestId();
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const isControl = path.startsWith(CONTROL_PREFIX);
  const endpoint = `${method} ${path}`;

  let call: EmulatorCall | undefined;
  if (!isControl) {
    call = { method, path, endpoint, status: 0, at: state.now() };
    // Bounded so that a benchmark or soak run cannot grow the log without limit.
    if (state.calls.length >= MAX_CALLS) state.calls.splice(0, MAX_CALLS / 10);
    state.calls.push(call);
  }
  const mark = (status: number): void => {
    if (call) call.status = status;
  };
  const reply = (status: number, body: Record<string, unknown>, headers?: Record<string, string>): void => {
    mark(status);
    send(res, status, body, headers);
  };
  const fail = (status: number, type: string, message: string, details?: Record<string, unknown>): void =>
    reply(status, errorBody(status, type, message, id, details));

  if (!isControl) {
    const fault = parts.faults.take(endpoint);
    if (fault && (await applyFault(fault, req, res, id, reply, mark))) return;
  }

  let match;
  try {
    match = (isControl ? parts.control : parts.api).match(method, path);
  } catch (error) {
    if (error instanceof ApiError) return fail(error.status, error.errorType, error.errorMessage, error.details);
    throw error;
  }
  if (!match?.isPublic && req.headers.authorization !== expectedAuth) {
    await drain(req);
    return fail(401, 'unauthorized_credentials', 'Unauthorized credentials.');
  }
  if (!match) {
    await drain(req);
    return fail(404, 'route_not_found', `No such endpoint: ${method} ${path}.`);
  }

  const raw = await readBody(req, parts.maxBodyBytes);
  if (raw === 'too_large') return fail(413, 'request_too_large', `The request body exceeds ${parts.maxBodyBytes} bytes.`);
  if (match.page) return answerPage(match.page, { state, method, path, params: match.params, query, body: {}, headers: req.headers }, raw, res, mark, fail);
  let body: Body = {};
  if (raw.length > 0 && method !== 'GET' && isFormBody(req.headers['content-type'])) {
    // The OAuth2 endpoints take form bodies (RFC 6749 §4.4.2); duplicate fields are refused.
    const form = new URLSearchParams(raw.toString('utf8'));
    const fields: Body = Object.create(null) as Body;
    for (const [key, value] of form) {
      if (Object.hasOwn(fields, key)) return fail(400, 'bad_request', `The form field '${key}' is repeated.`);
      fields[key] = value;
    }
    body = fields;
  } else if (raw.length > 0 && method !== 'GET') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(400, 'bad_request', 'The request body is not valid JSON.');
    }
    if (!isPlainObject(parsed)) return fail(400, 'bad_request', 'The request body must be a JSON object.');
    body = parsed;
  }

  try {
    const result = match.handler({ state, method, path, params: match.params, query, body, headers: req.headers });
    reply(200, { ...result, request_id: id, status_code: 200 });
  } catch (error) {
    if (error instanceof OAuthError) {
      // RFC 6749 §5.2 field names, which the SDK maps onto its error fields (addendum A7.4).
      return reply(error.status, { status_code: error.status, request_id: id, error: error.errorType, error_description: error.errorMessage, error_uri: `https://stytch.com/docs/api/errors/${error.status}` });
    }
    if (error instanceof ApiError) return fail(error.status, error.errorType, error.errorMessage, error.details);
    if (isControl && error instanceof TypeError) return fail(400, 'invalid_argument', error.message);
    if (!state.settings.quiet) console.error('[stytch-emulator] handler bug on', endpoint, error);
    return fail(500, 'internal_server_error', 'Oops, something seems to have gone wrong.');
  }
}

/** Runs a browser-facing route: form body in, HTML or redirect out; errors stay Stytch JSON. */
function answerPage(
  page: PageHandler,
  request: RouteRequest,
  raw: Buffer,
  res: ServerResponse,
  mark: (status: number) => void,
  fail: (status: number, type: string, message: string, details?: Record<string, unknown>) => void,
): void {
  let answer;
  try {
    answer = page({ ...request, form: new URLSearchParams(request.method === 'GET' ? '' : raw.toString('utf8')) });
  } catch (error) {
    if (error instanceof ApiError) return fail(error.status, error.errorType, error.errorMessage, error.details);
    if (!request.state.settings.quiet) console.error('[stytch-emulator] page bug on', `${request.method} ${request.path}`, error);
    return fail(500, 'internal_server_error', 'Oops, something seems to have gone wrong.');
  }
  mark(answer.status);
  res.writeHead(answer.status, { 'content-length': String(Buffer.byteLength(answer.body)), ...answer.headers });
  res.end(answer.body);
}

/** Applies a fault; returns true when the request is fully handled (false: continue normally). */
async function applyFault(
  fault: EmulatorFault,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  reply: (status: number, body: Record<string, unknown>, headers?: Record<string, string>) => void,
  mark: (status: number) => void,
): Promise<boolean> {
  if ('delayMs' in fault) {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    return false;
  }
  await drain(req);
  if ('status' in fault) {
    const type = fault.errorType ?? (fault.status === 429 ? 'too_many_requests' : fault.status >= 500 ? 'internal_server_error' : 'bad_request');
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    reply(fault.status, errorBody(fault.status, type, `Scripted fault: ${type}.`, id), headers);
    return true;
  }
  if ('malformed' in fault) {
    const text = '{"request_id": "' + id + '", "status_code": 200, <this is not JSON';
    mark(200);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return true;
  }
  if ('drop' in fault) {
    if (fault.drop === 'before_headers') {
      req.socket.destroy();
      return true;
    }
    const text = JSON.stringify({ request_id: id, status_code: 200, member_session: { member_session_id: 'x'.repeat(200) } });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
    res.write(text.slice(0, 20), () => setTimeout(() => res.socket?.destroy(), 10));
    return true;
  }
  // hang: never answer; close() destroys the socket.
  return true;
}

function isFormBody(contentType: string | undefined): boolean {
  return typeof contentType === 'string' && contentType.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', () => resolve());
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

/** Reads the body, or reports `too_large` after draining (so the client can read the 413). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        // A client streaming far beyond the cap is cut off instead of drained forever.
        if (size > max * 16 + 1_048_576) req.socket.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('too_large'));
  });
}
