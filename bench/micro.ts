/**
 * `npm run bench:micro` — the library's own cost per request, in-process, without HTTP.
 *
 * The HTTP benchmark (`bench/run.ts`) measures what users see, but on a 2-core machine shared
 * with the load generator its per-request CPU numbers move with everything else on the box.
 * Here each middleware is called directly with a minimal request/response pair, 50 calls in
 * flight (like the HTTP run's 50 connections), and the CPU time per call is reported, for the
 * whole process and for the event-loop thread alone (the one that limits throughput): a stable
 * breakdown of where the library spends its time, next to the same work done by the official SDK
 * and by jose alone.
 *
 * Writes `bench/results/micro.md` (unless `--no-write`).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { randomUUID, KeyObject, verify as nodeVerify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jwtVerify, createLocalJWKSet } from 'jose';
import type { JWK } from 'jose';
import { B2BClient } from 'stytch';
import { startEmulator } from '../src/emulator/index.js';
import { SESSION_CLAIM, StytchB2BClient, requireAuth, requirePermission, requireScope, stytchAuth } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const ITERATIONS = process.argv.includes('--quick') ? 3_000 : 10_000;
const WARMUP = 2_000;
/** Each row is measured this many times, interleaved with the others; the median is reported. */
const REPETITIONS = 3;
/**
 * Distinct tokens: more than the verified-token cache holds (10 000), used in order, so the
 * cold rows never meet a token their cache still has.
 */
const POOL_SIZE = 12_000;

/** A request carrying `cookie`, or, when it starts with `Bearer `, that Authorization header instead. */
function request(cookie: string): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.headers = cookie.startsWith('Bearer ') ? { authorization: cookie, host: '127.0.0.1', accept: '*/*' } : { cookie, host: '127.0.0.1', accept: '*/*' };
  req.method = 'GET';
  req.url = '/data';
  return { req, res: new ServerResponse(req) };
}

function call(handler: Handler, cookie: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { req, res } = request(cookie);
    handler(req, res, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error('next(err)')) : resolve()));
  });
}

/** One measured operation; `i` is the call number (an index into the token pool). */
type Operation = (i: number) => unknown;

/**
 * Calls in flight at once, as the HTTP benchmark's 50 connections keep 50 requests in flight. One
 * call at a time would charge every thread-pool job (the RS256 check) a full wake-up of an idle
 * pool thread, which never happens under load.
 */
const CONCURRENCY = 50;

/**
 * CPU time of the event-loop thread so far, in µs, from `/proc/thread-self/stat` (Linux; clock
 * ticks, so 10 ms resolution: meaningful only over a few hundred ms). Undefined elsewhere.
 */
function eventLoopCpuMicros(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** One row's measurement: CPU µs per call, all threads and the event-loop thread alone. */
interface Sample {
  readonly all: number;
  /** Undefined when unavailable or too short to resolve (under 200 ms). */
  readonly eventLoop: number | undefined;
}

/** CPU per call over `count` calls (starting at call number `start`), {@link CONCURRENCY} in flight. */
async function measure(fn: Operation, start: number, count: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const loopBefore = eventLoopCpuMicros();
  let next = start;
  const worker = async (): Promise<void> => {
    while (next < start + count) await fn(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  const loopAfter = eventLoopCpuMicros();
  const loop = loopBefore === undefined || loopAfter === undefined ? undefined : loopAfter - loopBefore;
  return { all: (used.user + used.system) / count, eventLoop: loop === undefined || loop < 200_000 ? undefined : loop / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function chain(...handlers: Handler[]): Handler {
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      const handler = handlers[index++];
      if (error || !handler) next(error);
      else handler(req, res, step);
    };
    step();
  };
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, quiet: true });
  try {
    const policy = emulator.admin.getProjectPolicy();
    emulator.admin.setProjectPolicy({
      ...policy,
      resources: [...policy.resources, { resource_id: 'documents', description: 'bench', actions: ['read'] }],
      roles: [...policy.roles, { role_id: 'bench_editor', description: 'bench', permissions: [{ resource_id: 'documents', actions: ['read'] }] }],
    });
    const org = emulator.admin.createOrganization({ organization_name: 'Micro Corp', organization_slug: 'micro-corp' });
    const member = emulator.admin.createMember(org.organization_id, { email_address: 'micro@micro-corp.example', roles: ['bench_editor'] });
    const session = emulator.admin.createSession({ member_id: member.member_id, session_duration_minutes: 600 });
    const template = JSON.parse(Buffer.from(session.session_jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const pool: string[] = [];
    for (let i = 0; i < POOL_SIZE; i++) {
      const iat = Math.floor(emulator.clock.now() / 1000);
      pool.push(emulator.admin.signJwt({ ...template, iat, nbf: iat, exp: iat + 300, [SESSION_CLAIM]: { ...(template[SESSION_CLAIM] as object), id: `session-test-${randomUUID()}` } }));
    }
    const warmCookie = `stytch_session_jwt=${session.session_jwt}`;
    const options = { projectId: emulator.projectId, secret: emulator.secret, baseUrl: emulator.url };
    const m2mClient = emulator.admin.createM2MClient({ scopes: ['read:documents'] });
    const tokenApi = new StytchB2BClient({ ...options, env: {} });
    const m2mBearer = `Bearer ${(await tokenApi.m2m.token({ client_id: m2mClient.client_id, client_secret: m2mClient.client_secret })).access_token}`;
    await tokenApi.close();
    const auth = stytchAuth(options);
    const authM2M = stytchAuth({ ...options, acceptsToken: ['session', 'm2m'] });
    const scope = requireScope('read:documents');
    const authNoCache = stytchAuth({ ...options, verifiedCacheSize: 0 });
    const guard = requireAuth();
    const permission = requirePermission('documents', 'read');
    const sdk = new B2BClient({ project_id: emulator.projectId, secret: emulator.secret, env: `${emulator.url}/` });
    const check = { organization_id: org.organization_id, resource_id: 'documents', action: 'read' };
    const jwks = (await (await fetch(emulator.jwksUrl)).json()) as { keys: JWK[] };
    const localSet = createLocalJWKSet({ keys: jwks.keys });
    const keyObject = KeyObject.from((await import('jose').then((j) => j.importJWK(jwks.keys[0]!, 'RS256'))) as never);
    const verifyOptions = { audience: emulator.projectId, issuer: emulator.issuer, typ: 'JWT', algorithms: ['RS256'] };

    const operations: [string, Operation][] = [];
    const add = (label: string, fn: Operation): void => {
      operations.push([label, fn]);
    };
    const noop: Handler = (_req, _res, next) => next();
    const token = (i: number): string => pool[i % POOL_SIZE]!;
    add('baseline: build req/res and call a no-op middleware', () => call(noop, warmCookie));
    add('ours: stytchAuth(), warm (verified-token cache hit)', () => call(auth, warmCookie));
    add('ours: stytchAuth() + requireAuth(), warm', () => call(chain(auth, guard), warmCookie));
    add('ours: stytchAuth() + requirePermission(), warm, cached policy', () => call(chain(auth, permission), warmCookie));
    add('ours: stytchAuth() + requireScope(), warm M2M bearer token', () => call(chain(authM2M, scope), m2mBearer));
    add('ours: stytchAuth(), opaque token, answer reused', () => call(auth, `stytch_session=${session.session_token}`));
    add('ours: stytchAuth() + requireAuth(), cold (distinct JWTs)', (i) => call(chain(auth, guard), `stytch_session_jwt=${token(i)}`));
    add('ours: same, verified-token cache disabled', (i) => call(chain(authNoCache, guard), `stytch_session_jwt=${token(i)}`));
    add('stytch SDK: sessions.authenticateJwt, distinct JWTs', (i) => sdk.sessions.authenticateJwt({ session_jwt: token(i) }));
    add('stytch SDK: authenticateJwt + authorization_check, distinct JWTs', (i) => sdk.sessions.authenticateJwt({ session_jwt: token(i), authorization_check: check }));
    add('jose 6 jwtVerify alone (WebCrypto), distinct JWTs', (i) => jwtVerify(token(i), localSet, verifyOptions));
    add('node:crypto RS256 verify alone (sync KeyObject), distinct JWTs', (i) => {
      const jwt = token(i);
      const dot = jwt.lastIndexOf('.');
      return nodeVerify('RSA-SHA256', Buffer.from(jwt.slice(0, dot)), keyObject, Buffer.from(jwt.slice(dot + 1), 'base64url'));
    });

    // Every row gets its own position in the pool, continuing across repetitions.
    const cursors = operations.map(() => 0);
    for (const [index, [, fn]] of operations.entries()) {
      await measure(fn, cursors[index]!, WARMUP);
      cursors[index]! += WARMUP;
    }
    const samples = operations.map((): Sample[] => []);
    for (let rep = 0; rep < REPETITIONS; rep++) {
      for (const [index, [, fn]] of operations.entries()) {
        samples[index]!.push(await measure(fn, cursors[index]!, ITERATIONS));
        cursors[index]! += ITERATIONS;
      }
    }
    const rows = operations.map(([label], index): [string, number, number | undefined] => {
      const loops = samples[index]!.map((s) => s.eventLoop);
      return [label, median(samples[index]!.map((s) => s.all)), loops.every((l) => l !== undefined) ? median(loops) : undefined];
    });
    const loopText = (micros: number | undefined): string => (micros === undefined ? '—' : micros.toFixed(0));
    for (const [label, micros, loop] of rows) process.stdout.write(`${label.padEnd(66)} ${micros.toFixed(1).padStart(7)} µs  event loop ${loopText(loop)}\n`);
    await auth.close();
    await authM2M.close();
    await authNoCache.close();

    const table = [
      `# In-process cost per request (\`npm run bench:micro\`)`,
      '',
      `${new Date().toISOString()}, Node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}, load average ${(loadavg()[0] ?? 0).toFixed(1)}. Median of ${REPETITIONS} interleaved repetitions of ${ITERATIONS.toLocaleString('en-US')} calls per row (after ${WARMUP.toLocaleString('en-US')} warm-up calls), ${CONCURRENCY} calls in flight; process CPU time (all threads) per call, and the event-loop thread's own share where it can be resolved (Linux clock ticks: rows of under 200 ms show —). The event-loop thread is what limits requests per second; the rest is the thread pool (RS256 checks) and V8's helper threads (GC). No HTTP and no load generator: these are the library's own costs. Cold rows rotate through ${POOL_SIZE.toLocaleString('en-US')} distinct JWTs (more than the 10 000-entry verified-token cache).`,
      '',
      '| what | CPU µs per request (all threads) | event-loop thread µs |',
      '| --- | ---: | ---: |',
      ...rows.map(([label, micros, loop]) => `| ${label} | ${micros.toFixed(1)} | ${loopText(loop)} |`),
      '',
    ].join('\n');
    if (!process.argv.includes('--no-write')) {
      writeFileSync(fileURLToPath(new URL('./results/micro.md', import.meta.url)), table);
      process.stdout.write('wrote bench/results/micro.md\n');
    }
  } finally {
    await emulator.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:micro failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
