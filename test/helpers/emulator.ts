/**
 * Test helper: one local Stytch B2B emulator per test file.
 *
 * The emulator is a real HTTP server on 127.0.0.1 with an ephemeral port; it is started in
 * `beforeAll` and closed in `afterAll`, so a test file never leaks a listening socket.
 */
import { afterAll, beforeAll } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';

/** Options accepted by `startEmulator` (port is always forced to 0 by this helper). */
export type EmulatorOptions = NonNullable<Parameters<typeof startEmulator>[0]>;

/**
 * Starts an emulator for the current test file and returns a getter for it.
 *
 * The getter throws when called before `beforeAll` has run (for example at module top level),
 * which would otherwise surface as a confusing `undefined` deep inside a test.
 *
 * @example
 * const emu = useEmulator();
 * it('answers', async () => { const res = await fetch(emu().url + '/v1/b2b/rbac/policy'); ... });
 */
export function useEmulator(options: EmulatorOptions = {}): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ quiet: true, ...options, port: 0 });
  });
  afterAll(async () => {
    const running = emulator;
    emulator = undefined;
    if (running) await running.close();
  });
  return () => {
    if (!emulator) throw new Error('useEmulator(): the emulator is not running (call the getter inside a test or hook)');
    return emulator;
  };
}

/** The `Authorization: Basic ...` header value for an emulator's project credentials. */
export function basicAuth(emulator: Pick<Emulator, 'projectId' | 'secret'>): string {
  return 'Basic ' + Buffer.from(`${emulator.projectId}:${emulator.secret}`).toString('base64');
}

/**
 * A parsed JSON body. Tests read deep, loosely typed Stytch responses; `any` keeps them short and the
 * assertions themselves do the checking.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = Record<string, any>;

/** A parsed emulator answer: HTTP status, headers and the JSON body (or `undefined` when not JSON). */
export interface ApiResponse<T = JsonBody> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * Calls the emulator's HTTP API with the project's Basic credentials and parses the JSON body.
 *
 * `body` is JSON-encoded unless it is already a string (so tests can send invalid JSON).
 * Pass `auth: false` or a custom header value to exercise authentication failures.
 */
export async function callApi<T = JsonBody>(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
  init: { auth?: string | false; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== false) headers.authorization = init.auth ?? basicAuth(emulator);
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(emulator.url + path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/**
 * Clears the emulator's scripted faults and fails when one was never met by a call: a test that
 * scripts an outage its code path never reached proves nothing. Call it in `afterEach`.
 */
export function settleFaults(emulator: Emulator): void {
  const pending = emulator.faults.pending();
  emulator.faults.clear();
  if (pending.length > 0) {
    throw new Error(`scripted fault(s) never met by a call: ${pending.map((p) => `${p.endpoint} ${JSON.stringify(p.fault)}`).join('; ')}`);
  }
}
