/**
 * `npx tsx bench/jwt-verifier.ts` — the session-JWT verifier alone, in-process: ours
 * (`SessionJwtVerifier`: compact-JWS parser, one node:crypto RS256 check on the thread pool, our
 * claim rules) against jose 6 `jwtVerify` given a node:crypto `KeyObject` (jose converts it to a
 * WebCrypto key once and verifies with `crypto.subtle.verify`).
 *
 * Same RSA 2048 key, `algorithms: ['RS256']`, issuer list, audience, `typ: 'JWT'` and a fixed
 * clock on both sides; every token is distinct (the verifier itself has no cache, but this keeps
 * V8 and OpenSSL from seeing one input over and over). Each row runs 1 and 50 verifications in
 * flight (50 like the HTTP benchmark's connections), interleaved, median of the repetitions:
 * tokens per second (wall clock, one process), CPU µs per verification over all threads, and the
 * event-loop thread's own share (the one that limits a server's throughput).
 *
 * Options: `--quick` (fewer tokens), `--no-write` (print only). Writes
 * `bench/results/jwt-verifier.md`.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../src/client/types.js';
import { JwksCache } from '../src/session/jwks-cache.js';
import { SessionJwtVerifier } from '../src/session/verify-jwt.js';

const QUICK = process.argv.includes('--quick');
const WRITE = !process.argv.includes('--no-write');
const POOL_SIZE = QUICK ? 2_000 : 6_000;
const ITERATIONS = QUICK ? 4_000 : 12_000;
const WARMUP = 2_000;
const REPETITIONS = 5;

const PROJECT = 'project-test-bench';
const ISSUERS = [`stytch.com/${PROJECT}`, 'https://auth.example.test'];
const NOW_MS = 1_800_000_000_000;

/** CPU time of the event-loop thread so far, in µs (Linux, 10 ms ticks); undefined elsewhere. */
function eventLoopCpuMicros(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

interface Sample {
  readonly perSecond: number;
  readonly cpu: number;
  readonly eventLoop: number | undefined;
}

async function measure(verify: (token: string) => Promise<unknown>, pool: readonly string[], start: number, count: number, inFlight: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const loopBefore = eventLoopCpuMicros();
  const began = process.hrtime.bigint();
  let next = start;
  const worker = async (): Promise<void> => {
    while (next < start + count) await verify(pool[next++ % pool.length]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const used = process.cpuUsage(cpu);
  const loopAfter = eventLoopCpuMicros();
  const loop = loopBefore === undefined || loopAfter === undefined ? undefined : loopAfter - loopBefore;
  return { perSecond: count / seconds, cpu: (used.user + used.system) / count, eventLoop: loop === undefined || loop < 200_000 ? undefined : loop / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const clock = (): number => NOW_MS;
    const jwks = new JwksCache({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, now: clock });
    if ((await jwks.getKey('k1')).kind !== 'key') throw new Error('the key set did not load');
    const ours = new SessionJwtVerifier({ jwks, projectId: PROJECT, issuers: ISSUERS, now: clock });
    const joseOptions = { algorithms: ['RS256'], issuer: ISSUERS, audience: PROJECT, typ: 'JWT', requiredClaims: ['exp', 'iat', 'sub'], currentDate: new Date(NOW_MS) };

    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' })).toString('base64url');
    const iat = NOW_MS / 1000 - 10;
    const pool: string[] = [];
    for (let i = 0; i < POOL_SIZE; i++) {
      const claims = {
        aud: [PROJECT],
        iss: ISSUERS[0],
        sub: 'member-test-bench',
        iat,
        nbf: iat,
        exp: iat + 300,
        [SESSION_CLAIM]: {
          id: `member-session-test-${i}`,
          started_at: new Date(NOW_MS - 60_000).toISOString(),
          last_accessed_at: new Date(NOW_MS).toISOString(),
          expires_at: new Date(NOW_MS + 3_600_000).toISOString(),
          attributes: { ip_address: '', user_agent: '' },
          authentication_factors: [{ type: 'magic_link', delivery_method: 'email' }],
          roles: ['stytch_member'],
        },
        [ORGANIZATION_CLAIM]: { organization_id: 'organization-test-bench', slug: 'bench' },
      };
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      pool.push(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`);
    }
    // Both must accept every token, or the comparison means nothing.
    for (const token of pool.slice(0, 20)) {
      if ((await ours.verify(token)).kind !== 'valid') throw new Error('ours refused a bench token');
      await jwtVerify(token, publicKey, joseOptions);
    }

    const rows: [string, (token: string) => Promise<unknown>, number][] = [];
    for (const inFlight of [1, 50]) {
      rows.push([`ours: SessionJwtVerifier.verify, ${inFlight} in flight`, (token) => ours.verify(token), inFlight]);
      rows.push([`jose 6: jwtVerify with a KeyObject, ${inFlight} in flight`, (token) => jwtVerify(token, publicKey, joseOptions), inFlight]);
    }
    const cursors = rows.map(() => 0);
    for (const [index, [, fn, inFlight]] of rows.entries()) {
      await measure(fn, pool, cursors[index]!, WARMUP, inFlight);
      cursors[index]! += WARMUP;
    }
    const samples = rows.map((): Sample[] => []);
    for (let rep = 0; rep < REPETITIONS; rep++) {
      for (const [index, [, fn, inFlight]] of rows.entries()) {
        samples[index]!.push(await measure(fn, pool, cursors[index]!, ITERATIONS, inFlight));
        cursors[index]! += ITERATIONS;
      }
    }
    const results = rows.map(([label], index) => {
      const loops = samples[index]!.map((s) => s.eventLoop);
      return {
        label,
        perSecond: median(samples[index]!.map((s) => s.perSecond)),
        cpu: median(samples[index]!.map((s) => s.cpu)),
        eventLoop: loops.every((l) => l !== undefined) ? median(loops) : undefined,
      };
    });
    const loopText = (micros: number | undefined): string => (micros === undefined ? '—' : micros.toFixed(0));
    for (const r of results) {
      process.stdout.write(`${r.label.padEnd(50)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(8)} tokens/s ${r.cpu.toFixed(1).padStart(7)} µs CPU  event loop ${loopText(r.eventLoop)} µs\n`);
    }
    const ratio = (a: number, b: number): string => (a / b).toFixed(2);
    const [ours1, jose1, ours50, jose50] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0], (typeof results)[0]];
    const summary = `At 50 in flight ours verifies ${ratio(ours50.perSecond, jose50.perSecond)}× jose's tokens per second for ${ratio(ours50.cpu, jose50.cpu)}× its CPU per token; one at a time, ${ratio(ours1.perSecond, jose1.perSecond)}× the tokens per second for ${ratio(ours1.cpu, jose1.cpu)}× the CPU.`;
    process.stdout.write(`${summary}\n`);

    if (WRITE) {
      const text = [
        '# Session-JWT verifier: ours against jose (`npx tsx bench/jwt-verifier.ts`)',
        '',
        `${new Date().toISOString()}, Node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${cpus().length}, load average ${(loadavg()[0] ?? 0).toFixed(1)} at the end. ` +
          `In-process, no HTTP. Same RSA 2048 key, \`algorithms: ['RS256']\`, issuers, audience, \`typ: 'JWT'\` and a fixed clock on both sides; ` +
          `${POOL_SIZE.toLocaleString('en-US')} distinct valid session JWTs used in turn. Median of ${REPETITIONS} interleaved repetitions of ${ITERATIONS.toLocaleString('en-US')} verifications per row, after ${WARMUP.toLocaleString('en-US')} warm-up verifications. ` +
          'CPU is process CPU time (all threads: the event loop, the libuv/WebCrypto thread pool and V8 helpers) per verification; the event-loop column is that thread alone (Linux clock ticks; — when a row is too short to resolve).',
        '',
        '| verifier | tokens/s | CPU µs per verify (all threads) | event-loop thread µs |',
        '| --- | ---: | ---: | ---: |',
        ...results.map((r) => `| ${r.label} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${r.cpu.toFixed(1)} | ${loopText(r.eventLoop)} |`),
        '',
        summary,
        '',
        ...((loadavg()[0] ?? 0) > cpus().length / 2
          ? ['The machine was busy with other work during this run (see the load average): read the ratios between rows, measured interleaved, rather than the absolute figures.', '']
          : []),
        'jose here is given a `KeyObject` directly (it converts it to a WebCrypto `CryptoKey` once and caches it), so the difference is the per-call path: ' +
          'ours parses the token with plain string and Buffer operations and makes one `crypto.verify` call with a callback (the RSA work on the thread pool); ' +
          'jose goes through `crypto.subtle.verify`, whose per-call argument and key handling runs on the event loop.',
        '',
      ].join('\n');
      writeFileSync(fileURLToPath(new URL('results/jwt-verifier.md', import.meta.url)), text);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

await main();
