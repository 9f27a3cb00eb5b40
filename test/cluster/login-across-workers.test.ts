/**
 * Many processes: the example app under `node:cluster` (two workers) behind a tiny round-robin
 * proxy on 127.0.0.1 that alternates every request between the workers. A login started on one
 * worker finishes on the other: the PKCE verifier, the IST, the pending-MFA hint and the session
 * live in cookies and at Stytch, never in one process's memory; per-process caches (JWKS, verified
 * tokens, RBAC policy) stay correct on both.
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
import type { JarResponse } from '../helpers/cookie-jar.js';

const PRIMARY = fileURLToPath(new URL('./primary.ts', import.meta.url));

let emu: Emulator;
let seed: SeedResult;
let proxy: Server;
let proxyUrl: string;
let primary: ChildProcessWithoutNullStreams;
let targets: number[] = [];
let nextTarget = 0;

/** A round-robin reverse proxy: request n goes to worker n % 2, whatever the connection. */
function startProxy(): Promise<Server> {
  const server = createServer((req, res) => {
    const port = targets[nextTarget++ % targets.length];
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

function waitForWorkers(child: ChildProcessWithoutNullStreams): Promise<number[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`cluster did not start: ${err}`)), 45_000);
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"workers"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { workers: { port: number }[] }).workers.map((w) => w.port));
    });
    child.once('exit', (code) => reject(new Error(`cluster exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  emu = await startEmulator({ quiet: true, port: 0 });
  seed = seedEmulator(emu);
  proxy = await startProxy();
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  primary = spawn(process.execPath, ['--import', 'tsx', PRIMARY], {
    cwd: process.cwd(),
    // The child gets its configuration through its own environment; ours is never modified.
    env: { ...process.env, CLUSTER_STYTCH_URL: emu.url, CLUSTER_PROJECT_ID: emu.projectId, CLUSTER_SECRET: emu.secret, CLUSTER_APP_URL: proxyUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  targets = await waitForWorkers(primary);
}, 60_000);

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
});

/** Which worker answered each request of a flow. */
function servedBy(res: JarResponse): string {
  return String(res.headers['x-served-by']);
}

function expectAlternating(answers: JarResponse[]): void {
  const ids = answers.map(servedBy);
  expect(new Set(ids).size).toBe(2);
  for (let i = 1; i < ids.length; i++) expect(ids[i], `request ${i} went to the same worker as the one before`).not.toBe(ids[i - 1]);
}

function linkPath(link: string | undefined): string {
  if (link === undefined) throw new Error('no link in the outbox');
  const url = new URL(link);
  return url.pathname + url.search;
}

function latestSmsCode(): string {
  const message = emu.outbox.list().filter((m) => m.kind === 'sms_otp' && m.to === '+15555550123').at(-1);
  if (message?.code === undefined) throw new Error('no SMS code was sent');
  return message.code;
}

describe('the example app under node:cluster, two workers, alternating requests', () => {
  it('completes magic link + SMS MFA with every step on the other worker, then both workers see the same member', async () => {
    const browser = new CookieJarClient(proxyUrl);
    const answers: JarResponse[] = [];
    const step = async (res: Promise<JarResponse>) => {
      const answer = await res;
      answers.push(answer);
      return answer;
    };
    nextTarget = 0;
    const start = await step(browser.post('/auth/login/email', { json: { email_address: 'bob@example.com', organization_id: seed.organizations.globex.id } }));
    expect(start.status).toBe(202);
    // The callback runs on the other worker: the PKCE verifier comes from the cookie, not memory.
    const back = await step(browser.get(linkPath(emu.outbox.latest({ to: 'bob@example.com' })?.link)));
    expect(back.status).toBe(303);
    expect(back.location).toBe('/mfa');
    const sent = await step(browser.post('/auth/mfa/sms/send', { json: {} }));
    expect(sent.status).toBe(202);
    const done = await step(browser.post('/auth/mfa/sms/authenticate', { json: { code: latestSmsCode() } }));
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('authenticated');
    const first = await step(browser.get('/auth/session'));
    const second = await step(browser.get('/auth/session'));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toEqual(second.body);
    expect(JSON.stringify(first.body)).toContain(seed.organizations.globex.id);
    const dashboard = await step(browser.get('/dashboard', { headers: { accept: 'text/html' } }));
    expect(dashboard.status).toBe(200);
    expectAlternating(answers);
  });

  it('completes a discovery login (IST in its cookie) across workers and enters the organization on the other one', async () => {
    const browser = new CookieJarClient(proxyUrl);
    const answers: JarResponse[] = [];
    nextTarget = 1;
    const record = (res: JarResponse) => (answers.push(res), res);
    expect(record(await browser.post('/auth/login/email', { json: { email_address: 'carol@example.com' } })).status).toBe(202);
    const back = record(await browser.get(linkPath(emu.outbox.latest({ to: 'carol@example.com', kind: 'discovery_magic_link' })?.link)));
    expect(back.location).toBe('/select-org');
    const list = record(await browser.get('/auth/discovery/organizations'));
    expect(list.status).toBe(200);
    expect(list.body.organizations.map((o: { organizationId: string }) => o.organizationId)).toContain(seed.organizations.acme.id);
    const entered = record(await browser.post('/auth/discovery/exchange', { json: { organization_id: seed.organizations.acme.id } }));
    expect(entered.status).toBe(200);
    expect(browser.cookie('stytch_intermediate_session_token')).toBeUndefined();
    for (let i = 0; i < 4; i++) expect(record(await browser.get('/documents', { headers: { accept: 'text/html' } })).status).toBe(200);
    expectAlternating(answers);
  });

  it('per-process caches stay correct: RBAC on both workers, a switch seen by both, a logout that holds on both', async () => {
    const browser = new CookieJarClient(proxyUrl);
    nextTarget = 0;
    await browser.post('/auth/login/email', { json: { email_address: 'ada@example.com', organization_id: seed.organizations.acme.id } });
    expect((await browser.get(linkPath(emu.outbox.latest({ to: 'ada@example.com' })?.link))).status).toBe(303);
    // ada is stytch_admin in Acme: the members page (stytch.member search) on both workers' policy caches.
    // The page reads the admin API through the app's own URL (the proxy), so each page load also
    // moves the alternation: pick the worker of each page load explicitly.
    const members = [];
    for (const target of [0, 1]) {
      nextTarget = target;
      members.push(await browser.get('/members', { headers: { accept: 'text/html' } }));
    }
    expect(members.map((r) => r.status)).toEqual([200, 200]);
    expect(new Set(members.map(servedBy)).size).toBe(2);
    // carol (plain member) is refused on both.
    const carol = new CookieJarClient(proxyUrl);
    await carol.post('/auth/login/email', { json: { email_address: 'carol@example.com', organization_id: seed.organizations.acme.id } });
    expect((await carol.get(linkPath(emu.outbox.latest({ to: 'carol@example.com' })?.link))).status).toBe(303);
    const refused = [await carol.get('/members', { headers: { accept: 'application/json' } }), await carol.get('/members', { headers: { accept: 'application/json' } })];
    expect(refused.map((r) => r.status)).toEqual([403, 403]);

    // Log out on one worker; the old session token is refused on both (checked with Stytch, not a local cache).
    const oldToken = browser.cookie('stytch_session');
    expect(oldToken).toBeDefined();
    const out = await browser.post('/auth/logout', { json: {} });
    expect(out.status).toBe(200);
    const replayer = new CookieJarClient(proxyUrl);
    replayer.setCookie('stytch_session', oldToken!);
    const replays = [await replayer.get('/auth/session'), await replayer.get('/auth/session')];
    expect(replays.map((r) => r.status)).toEqual([401, 401]);
    expect(new Set(replays.map(servedBy)).size).toBe(2);
  });
});
