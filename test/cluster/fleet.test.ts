/**
 * A fleet on Redis: three worker processes (`node:cluster`, one Redis connection each) behind one
 * port (a small proxy on 127.0.0.1 that round-robins, or picks the worker named in `x-worker`).
 * A logout on one worker is refused by the other two within a second, even for a JWT they had
 * cached; a worker started after the logout refuses it too; N wrong MFA codes spread over the
 * three trip the limit at N.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmulator } from '../../examples/express-app/seed.js';
import type { SeedResult } from '../../examples/express-app/seed.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { CookieJarClient } from '../helpers/cookie-jar.js';
import { skipRedis, startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

const PRIMARY = fileURLToPath(new URL('./fleet-primary.ts', import.meta.url));
const CODE_LIMIT = 4;

let emu: Emulator;
let seed: SeedResult;
let redis: RedisServer;
let proxy: Server;
let proxyUrl: string;
let primary: ChildProcessWithoutNullStreams;
const targets: number[] = [];
let nextTarget = 0;
let output = '';

function startProxy(): Promise<Server> {
  const server = createServer((req, res) => {
    const named = req.headers['x-worker'];
    const port = typeof named === 'string' ? targets[Number(named)] : targets[nextTarget++ % 3];
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Resolve with the first stdout line that `pick` accepts. */
function waitForLine<T>(pick: (line: string) => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let errors = '';
    const check = () => {
      for (const line of output.split('\n')) {
        const found = pick(line);
        if (found !== undefined) {
          cleanup();
          resolve(found);
          return;
        }
      }
    };
    const onErr = (chunk: Buffer) => (errors += chunk.toString());
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`fleet exited with ${code}: ${errors}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} not ready: ${errors}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      primary.stdout.off('data', check);
      primary.stderr.off('data', onErr);
      primary.off('exit', onExit);
    };
    primary.stdout.on('data', check);
    primary.stderr.on('data', onErr);
    primary.once('exit', onExit);
    check();
  });
}

beforeAll(async () => {
  if (skipRedis) return;
  redis = await startRedisServer();
  emu = await startEmulator({ quiet: true, port: 0 });
  seed = seedEmulator(emu);
  proxy = await startProxy();
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  primary = spawn(process.execPath, ['--import', 'tsx', PRIMARY], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      FLEET_WORKERS: '3',
      FLEET_REDIS_URL: redis.url,
      FLEET_STYTCH_URL: emu.url,
      FLEET_PROJECT_ID: emu.projectId,
      FLEET_SECRET: emu.secret,
      FLEET_APP_URL: proxyUrl,
      FLEET_CODE_LIMIT: String(CODE_LIMIT),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  primary.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ports = await waitForLine((line) => (line.startsWith('{"workers"') ? (JSON.parse(line) as { workers: { port: number }[] }).workers.map((w) => w.port) : undefined), 'workers');
  targets.push(...ports);
}, 90_000);

afterAll(async () => {
  if (primary !== undefined && primary.exitCode === null) {
    const exited = new Promise<void>((resolve) => primary.once('exit', () => resolve()));
    primary.kill('SIGTERM');
    await exited;
  }
  if (proxy !== undefined) {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
  await emu?.close();
  await redis?.stop();
});

function linkPath(link: string | undefined): string {
  if (link === undefined) throw new Error('no link in the outbox');
  const url = new URL(link);
  return url.pathname + url.search;
}

async function signIn(email: string, organizationId: string): Promise<CookieJarClient> {
  const browser = new CookieJarClient(proxyUrl);
  expect((await browser.post('/auth/login/email', { json: { email_address: email, organization_id: organizationId } })).status).toBe(202);
  expect((await browser.get(linkPath(emu.outbox.latest({ to: email })?.link))).status).toBe(303);
  return browser;
}

/** GET /api/me with a bearer JWT on worker `index` (0-based; 3 is the late one). */
async function me(index: number, jwt: string): Promise<number> {
  const client = new CookieJarClient(proxyUrl);
  const res = await client.get('/api/me', { headers: { authorization: `Bearer ${jwt}`, 'x-worker': String(index) } });
  expect(String(res.headers['x-served-by'])).toBe(String(index + 1));
  return res.status;
}

describe.skipIf(skipRedis)('a fleet of three workers on one Redis', () => {
  it('a logout on one worker is refused by the other two within one second, and by a worker started afterwards', async () => {
    const browser = await signIn('ada@example.com', seed.organizations.acme.id);
    const jwt = browser.cookie('stytch_session_jwt');
    expect(jwt).toBeDefined();
    // Every worker has verified (and cached) the JWT: only the store can make them refuse it now.
    for (const i of [0, 1, 2]) expect(await me(i, jwt!)).toBe(200);
    const other = await signIn('carol@example.com', seed.organizations.acme.id);
    const otherJwt = other.cookie('stytch_session_jwt')!;

    const out = await browser.post('/auth/logout', { json: {}, headers: { 'x-worker': '0' } });
    expect(out.status).toBe(200);
    const loggedOutAt = Date.now();
    expect(await me(0, jwt!)).toBe(401);
    const refusedAfter: number[] = [];
    for (const i of [1, 2]) {
      while ((await me(i, jwt!)) !== 401) {
        expect(Date.now() - loggedOutAt).toBeLessThan(1_000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      refusedAfter.push(Date.now() - loggedOutAt);
    }
    expect(Math.max(...refusedAfter)).toBeLessThan(1_000);
    for (const i of [0, 1, 2]) expect(await me(i, otherJwt)).toBe(200);

    primary.stdin.write('add\n');
    const late = await waitForLine((line) => (line.startsWith('{"added"') ? (JSON.parse(line) as { added: { port: number } }).added.port : undefined), 'late worker');
    targets.push(late);
    expect(await me(3, jwt!)).toBe(401);
    expect(await me(3, otherJwt)).toBe(200);
  }, 90_000);

  it('N wrong MFA codes spread over the three workers trip the limit at N, on every worker', async () => {
    const browser = new CookieJarClient(proxyUrl);
    expect((await browser.post('/auth/login/email', { json: { email_address: 'bob@example.com', organization_id: seed.organizations.globex.id } })).status).toBe(202);
    const back = await browser.get(linkPath(emu.outbox.latest({ to: 'bob@example.com' })?.link));
    expect(back.location).toBe('/mfa');
    expect((await browser.post('/auth/mfa/sms/send', { json: {} })).status).toBe(202);
    const code = emu.outbox.list().filter((m) => m.kind === 'sms_otp').at(-1)?.code;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < CODE_LIMIT; i++) {
      const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: wrong }, headers: { 'x-worker': String(i % 3) } });
      expect(res.status, `wrong code ${i + 1}`).not.toBe(429);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    for (const i of [0, 1, 2]) {
      const res = await browser.post('/auth/mfa/sms/authenticate', { json: { code: code ?? wrong }, headers: { 'x-worker': String(i) } });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('too_many_attempts');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  }, 60_000);
});
