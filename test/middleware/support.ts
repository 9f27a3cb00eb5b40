/* eslint-disable @typescript-eslint/no-explicit-any -- token payloads and response bodies are arbitrary JSON here */
/**
 * Shared setup for middleware tests: an Express 5 app with `stytchAuth()` in front of a route
 * that echoes the auth object, served on 127.0.0.1:0, plus emulator fixtures.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { request } from 'undici';
import { afterEach } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { requireAuth } from '../../src/middleware/require-auth.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthMiddleware } from '../../src/middleware/stytch-auth.js';
import type { StytchAuthOptions } from '../../src/middleware/options.js';
import { listenOnLoopback } from '../helpers/listen.js';

export interface Harness {
  url: string;
  auth: StytchAuthMiddleware;
  logs: { level: string; obj: Record<string, unknown> }[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Listen on 127.0.0.1:0 and register the server for closing after the test. */
export async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await listenOnLoopback(server);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Register extra cleanup for the current test. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Options that point `stytchAuth()` at the emulator, with its clock. */
export function emulatorOptions(emulator: Emulator, extra: StytchAuthOptions = {}): StytchAuthOptions {
  return { projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url, env: {}, now: () => emulator.clock.now(), ...extra };
}

/** An Express 5 app: `/me` echoes the auth object (any status), `/private` is behind requireAuth(). */
export async function startApp(emulator: Emulator, extra: StytchAuthOptions = {}): Promise<Harness> {
  const logs: Harness['logs'] = [];
  const logger = {
    debug: (obj: Record<string, unknown>) => logs.push({ level: 'debug', obj }),
    info: (obj: Record<string, unknown>) => logs.push({ level: 'info', obj }),
    warn: (obj: Record<string, unknown>) => logs.push({ level: 'warn', obj }),
    error: (obj: Record<string, unknown>) => logs.push({ level: 'error', obj }),
  };
  const auth = stytchAuth(emulatorOptions(emulator, { logger, ...extra }));
  onCleanup(() => auth.close());
  const app = express();
  app.use(auth);
  app.get('/me', (req, res) => {
    const a = getStytchAuth(req);
    if (a.status === 'machine') res.json({ ...a, hasScopes: undefined });
    else res.json(a.status === 'signed_in' ? { ...a, can: undefined } : { status: a.status, reason: a.reason });
  });
  app.get('/private', requireAuth(), (req, res) => {
    res.json({ ok: true, memberId: (getStytchAuth(req) as { memberId: string }).memberId });
  });
  const { url } = await listen(app);
  return { url, auth, logs };
}

let counter = 0;
/** A fresh organization, member and session in the emulator. */
export function newSession(
  emulator: Emulator,
  input: { roles?: string[]; session_duration_minutes?: number; custom_claims?: Record<string, unknown> } = {},
): { session_token: string; session_jwt: string; member_id: string; organization_id: string; session_id: string } {
  counter++;
  const org = emulator.admin.createOrganization({ organization_name: `Org ${counter}`, organization_slug: `org-${counter}-${Math.random().toString(36).slice(2, 8)}` });
  const member = emulator.admin.createMember(org.organization_id, { email_address: `m${counter}@example.com`, ...(input.roles ? { roles: input.roles } : {}) });
  const created = emulator.admin.createSession({
    member_id: member.member_id,
    ...(input.session_duration_minutes === undefined ? {} : { session_duration_minutes: input.session_duration_minutes }),
    ...(input.custom_claims === undefined ? {} : { custom_claims: input.custom_claims }),
  });
  return {
    session_token: created.session_token,
    session_jwt: created.session_jwt,
    member_id: member.member_id,
    organization_id: org.organization_id,
    session_id: created.member_session.member_session_id,
  };
}

/** A request with optional bearer / cookie header (undici.request: it sends headers as given, unlike fetch). */
export async function get(
  url: string,
  init: { bearer?: string; cookie?: string; headers?: Record<string, string>; method?: 'GET' | 'POST' | 'HEAD' } = {},
): Promise<{ status: number; body: any; headers: Headers; setCookies: string[] }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  if (init.cookie !== undefined) headers.cookie = init.cookie;
  const res = await request(url, { method: init.method ?? 'GET', headers });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  const out = new Headers();
  let setCookies: string[] = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (name === 'set-cookie') setCookies = Array.isArray(value) ? value : [value];
    else out.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return { status: res.statusCode, body, headers: out, setCookies };
}

/** Send a raw HTTP/1.1 GET with arbitrary header bytes (for bytes fetch refuses to send). */
export async function rawGet(url: string, path: string, headerLines: Buffer[]): Promise<{ status: number; text: string }> {
  const { connect } = await import('node:net');
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const head = Buffer.concat([
        Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`),
        ...headerLines.map((line) => Buffer.concat([line, Buffer.from('\r\n')])),
        Buffer.from('\r\n'),
      ]);
      socket.write(head);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
  });
}

/** The Set-Cookie lines that clear `name` (Max-Age=0). */
export function clearing(setCookies: string[], name: string): string | undefined {
  return setCookies.find((line) => line.startsWith(`${name}=;`) && /Max-Age=0/i.test(line));
}
