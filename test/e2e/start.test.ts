/**
 * `npm start` (examples/express-app/start.ts) as a real child process: it prints its URL and the
 * demo accounts once, serves pages, switches to "real Stytch" mode from the environment, and
 * stops cleanly on SIGTERM. The child gets its own env object; this process's env is untouched.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { groupAlive, killTree, signalGroup, spawnGroup } from '../helpers/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * What `npm start` runs: one node process with tsx as a loader. (The tsx CLI would relay signals
 * to a child and SIGKILL it when it does not answer within a few tens of milliseconds, which a
 * busy machine can miss: exit 143 instead of a clean stop.)
 */
const START = ['--import', 'tsx', 'examples/express-app/start.ts'];

/** The parent environment minus any Stytch settings, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('STYTCH_')) env[key] = value;
  return { ...env, PORT: '0', ...extra };
}

let child: ChildProcess | undefined;
let emulator: Emulator | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  // The whole process group: tsx runs the app as its own child.
  if (child) await killTree(child);
  child = undefined;
  await emulator?.close();
  emulator = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

/** Runs `npm start`'s script to its end and returns its exit code and output. */
function runToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const proc = spawnGroup(process.execPath, START, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, output })));
}

function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve({ server, port: address.port });
      else reject(new Error('no port'));
    });
  });
}

/** Starts the example and resolves with its output once the banner is complete. */
function start(env: NodeJS.ProcessEnv, lastLine: RegExp): Promise<{ url: string; output: () => string }> {
  const proc = spawnGroup(process.execPath, START, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner within 45 s:\n' + out)), 45_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && lastLine.test(out)) {
        clearTimeout(timer);
        resolve({ url, output: () => out });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code))));
}

// Each test spawns tsx, which can take a while on a loaded machine.
describe('npm start', { timeout: 60_000 }, () => {
  it('starts the emulator with demo data, prints the URL and the demo accounts once, and stops on SIGTERM', async () => {
    const { url, output } = await start(childEnv({}), /carol@example\.com.*\n/);
    const login = await fetch(url + '/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Sign in');
    const mailbox = await fetch(url + '/dev/mailbox');
    expect(mailbox.status).toBe(200);

    const text = output();
    expect(text).toContain('local Stytch emulator');
    expect(text.match(/listening on/g)).toHaveLength(1);
    expect(text.match(/ada@example\.com/g)).toHaveLength(1);
    expect(text).not.toMatch(/secret-|project-test-/);

    // What Ctrl-C does in a terminal: the signal goes to the whole foreground group.
    signalGroup(child!, 'SIGTERM');
    expect(await exited(child!)).toBe(0);
    await expect.poll(() => groupAlive(child!.pid!), { timeout: 10_000 }).toBe(false);
  });

  it('says in one line, without a stack, that the port is taken and how to pick another', async () => {
    const taken = await listenOnFreePort();
    blocker = taken.server;
    const { code, output } = await runToExit(childEnv({ PORT: String(taken.port) }));
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`Port ${taken.port} is already in use on 127.0.0.1. Start on another port, e.g. PORT=${taken.port + 1} npm start`]);
  });

  it('accepts no connection before it can answer: the first request that connects is answered', async () => {
    // A free port, released again for the example to take.
    const probe = await listenOnFreePort();
    await new Promise<void>((resolve) => probe.server.close(() => resolve()));
    const url = `http://127.0.0.1:${probe.port}`;
    const proc = spawnGroup(process.execPath, START, { cwd: ROOT, env: childEnv({ PORT: String(probe.port) }), stdio: 'ignore' });
    child = proc;
    const deadline = Date.now() + 45_000;
    let status: number | undefined;
    while (status === undefined && Date.now() < deadline) {
      try {
        // Once a connection is accepted, the answer must come (the old start-up accepted and hung).
        status = (await fetch(url + '/login', { signal: AbortSignal.timeout(10_000) })).status;
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') throw new Error('a connection was accepted but not answered', { cause: err });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    expect(status).toBe(200);
  });

  it('uses the Stytch project from STYTCH_PROJECT_ID and STYTCH_SECRET instead of the emulator, and says so', async () => {
    // "Real Stytch" mode pointed at a loopback emulator through STYTCH_BASE_URL: no internet needed.
    emulator = await startEmulator({ quiet: true });
    const { url, output } = await start(
      childEnv({ STYTCH_PROJECT_ID: emulator.projectId, STYTCH_SECRET: emulator.secret, STYTCH_BASE_URL: emulator.url }),
      /redirect URL.*\n/,
    );
    expect(output()).toContain('Talking to real Stytch');
    expect(output()).not.toContain(emulator.secret);
    // No dev mailbox without the emulator.
    expect((await fetch(url + '/dev/mailbox')).status).toBe(404);
    // Sending a login email goes to the configured Stytch project.
    const sent = await fetch(url + '/auth/login/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email_address: 'someone@example.com' }),
    });
    expect(sent.status).toBe(202);
    expect(emulator.calls.count('POST /v1/b2b/magic_links/email/discovery/send')).toBe(1);
  });
});
