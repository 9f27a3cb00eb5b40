/**
 * `npm run soak` (60 s) and `npm run soak -- --short` (CI, about 18 s): a few hundred simulated
 * members over loopback against one app (stytchAuth + guards + stytchRoutes) and the emulator,
 * while the emulator injects outages and rotates keys. Bounded in time and in count; stops by
 * itself; prints one summary table; exits non-zero when an invariant is violated:
 *
 *  1. no forged token and no revoked session past its revocation window ever gets a 2xx;
 *  2. no valid member is ever answered 401 or has session cookies cleared (an outage gives 503);
 *  3. no request takes longer than the deadline (and none hangs);
 *  4. the app's heap stays bounded; no 500 is ever answered.
 *
 * Flags: `--short`, `--duration=<seconds>`, `--members=<n>`, `--cluster` (the app runs in two
 * `node:cluster` workers sharing one port; the emulator and the load stay in the primary),
 * `--fleet` (three workers sharing one port and one redis-server started for the run: a session
 * logged out on one worker must be refused by all within FLEET_PROPAGATION_MS, not the revocation window).
 */
import cluster from 'node:cluster';
import { createPublicKey } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { flipBit, headerOf, mintAlgNone, mintForged, mintHs256, payloadOf, resign, withClaims } from '../helpers/tokens.js';
import { startRedisServer } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSoakApp } from './app.js';
import type { ServerTiming, SoakAppConfig } from './app.js';
import { call, createAgent, Jar } from './jar.js';
import type { SoakResponse } from './jar.js';

const UPSTREAM_TIMEOUT_MS = 400;
const MAX_TOKEN_AGE_SECONDS = 8;
/** A revoked credential may still pass for this long (the documented revocation window), plus slack. */
const REVOCATION_WINDOW_MS = MAX_TOKEN_AGE_SECONDS * 1000 + 1_500;
/** Fleet mode: a session logged out through any worker is refused by every worker after this long. */
const FLEET_PROPAGATION_MS = 1_500;
/**
 * No answer may take the app longer than this, measured in the app (its worst path is a few
 * upstream deadlines of 400 ms). The load generator's own view includes its event-loop stalls
 * (the emulator generates RSA keys synchronously when it rotates), so it only enforces the hard limit.
 */
const DEADLINE_MS = 4_000;
/** The load generator gives up here; anything that reaches it is a hang. */
const HARD_DEADLINE_MS = 15_000;
/** Heap growth allowed between warm-up and the end of the run (after GC). */
const HEAP_GROWTH_LIMIT_BYTES = 96 * 1024 * 1024;
const JWT_COOKIE = 'stytch_session_jwt';
const TOKEN_COOKIE = 'stytch_session';

interface Args {
  durationMs: number;
  members: number;
  cluster: boolean;
  fleet: boolean;
  short: boolean;
}

function parseArgs(argv: string[]): Args {
  const short = argv.includes('--short');
  let durationMs = short ? 18_000 : 60_000;
  let members = short ? 200 : 300;
  for (const arg of argv) {
    const duration = /^--duration=(\d+)$/.exec(arg);
    if (duration) durationMs = Math.min(600, Math.max(3, Number(duration[1]))) * 1000;
    const count = /^--members=(\d+)$/.exec(arg);
    if (count) members = Math.min(2_000, Math.max(10, Number(count[1])));
  }
  return { durationMs, members, cluster: argv.includes('--cluster'), fleet: argv.includes('--fleet'), short };
}

// ---------------------------------------------------------------------------------------------
// Heap measurement (GC exposed at run time so `npm run soak` needs no node flag).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;
function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------------------------

type Kind = 'valid' | 'admin' | 'expiring' | 'revoked' | 'forger' | 'switcher' | 'logout' | 'login';
const KINDS: readonly Kind[] = ['valid', 'admin', 'expiring', 'revoked', 'forger', 'switcher', 'logout', 'login'];
// Share of members per kind (sums to 20).
const WEIGHTS: Record<Kind, number> = { valid: 5, admin: 2, expiring: 2, revoked: 2, forger: 3, switcher: 2, logout: 2, login: 2 };

interface KindStats {
  requests: number;
  ok: number;
  s401: number;
  s403: number;
  s503: number;
  other: number;
  maxMs: number;
}

interface Violation {
  invariant: string;
  kind: Kind;
  detail: string;
}

class Stats {
  readonly byKind = new Map<Kind, KindStats>(KINDS.map((k) => [k, { requests: 0, ok: 0, s401: 0, s403: 0, s503: 0, other: 0, maxMs: 0 }]));
  readonly violations: Violation[] = [];
  violationCount = 0;
  total = 0;
  maxMs = 0;
  hung = 0;
  transportErrors = 0;
  s500 = 0;
  readonly latencies: number[] = [];
  outagesSurvived = new Map<string, number>();
  logins = 0;
  switches = 0;
  logouts = 0;
  refreshes = 0;
  revocations = 0;
  /** Fleet mode: the latest a replay after a logout was still accepted, in ms after the logout. */
  logoutAcceptedMaxMs = 0;
  upstreamCalls = 0;
  /** Forged tokens answered 503 (keys not loadable) instead of 401. */
  forgedUndecided = 0;

  record(kind: Kind, res: SoakResponse, what: string): void {
    const k = this.byKind.get(kind)!;
    k.requests++;
    this.total++;
    k.maxMs = Math.max(k.maxMs, res.ms);
    this.maxMs = Math.max(this.maxMs, res.ms);
    // A bounded reservoir for percentiles: memory of the harness stays flat too.
    if (this.latencies.length < 50_000) this.latencies.push(res.ms);
    else this.latencies[Math.floor(Math.random() * this.latencies.length)] = res.ms;
    if (res.status >= 200 && res.status < 400) k.ok++;
    else if (res.status === 401) k.s401++;
    else if (res.status === 403) k.s403++;
    else if (res.status === 503 || res.status === 502 || res.status === 429) k.s503++;
    else k.other++;
    if (res.hung) {
      this.hung++;
      this.violate('no_hang', kind, `${what} hung past ${HARD_DEADLINE_MS} ms`);
    } else if (res.status === 0) {
      this.transportErrors++;
      this.violate('no_transport_error', kind, `${what}: ${res.transportError ?? 'error'}`);
    }
    if (res.status >= 500 && res.status !== 502 && res.status !== 503) {
      this.s500++;
      this.violate('no_500', kind, `${what} answered ${res.status}`);
    }
  }

  violate(invariant: string, kind: Kind, detail: string): void {
    this.violationCount++;
    if (this.violations.length < 40) this.violations.push({ invariant, kind, detail });
  }
}

interface Ctx {
  emu: Emulator;
  appUrl: string;
  agent: ReturnType<typeof createAgent>;
  stats: Stats;
  endAt: number;
  publicKeyPem: string;
  otherProjectAudience: string;
  phase: () => string;
  /** How long after a logout its session may still be accepted. */
  logoutBoundMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const think = () => sleep(300 + Math.random() * 400);
const running = (ctx: Ctx) => performance.now() < ctx.endAt;

let seq = 0;
function newMember(emu: Emulator, input: { admin?: boolean; orgs?: number } = {}) {
  seq++;
  const email = `soak-${seq}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const organizations: string[] = [];
  const members: string[] = [];
  for (let i = 0; i < (input.orgs ?? 1); i++) {
    const org = emu.admin.createOrganization({ organization_name: `Soak ${seq}.${i}`, organization_slug: `soak-${seq}-${i}-${Math.random().toString(36).slice(2, 6)}` });
    const member = emu.admin.createMember(org.organization_id, { email_address: email, ...(input.admin ? { roles: ['stytch_admin'] } : {}) });
    organizations.push(org.organization_id);
    members.push(member.member_id);
  }
  return { email, organizations, members };
}

function sessionJar(emu: Emulator, memberId: string): { jar: Jar; session: ReturnType<Emulator['admin']['createSession']> } {
  const session = emu.admin.createSession({ member_id: memberId });
  const jar = new Jar();
  jar.cookies.set(JWT_COOKIE, session.session_jwt);
  jar.cookies.set(TOKEN_COOKIE, session.session_token);
  return { jar, session };
}

/** A valid member must never be signed out: no 401, no cleared session cookie; 503 is fine. */
function checkValid(ctx: Ctx, kind: Kind, res: SoakResponse, what: string, expectedMember?: string): void {
  ctx.stats.record(kind, res, what);
  if (res.status === 401) ctx.stats.violate('valid_not_signed_out', kind, `${what} answered 401 during phase ${ctx.phase()}`);
  if (res.cleared.includes(JWT_COOKIE) || res.cleared.includes(TOKEN_COOKIE)) {
    ctx.stats.violate('valid_cookies_kept', kind, `${what} cleared ${res.cleared.join(',')} (status ${res.status}, phase ${ctx.phase()})`);
  }
  if (res.set.includes(JWT_COOKIE)) ctx.stats.refreshes++;
  if (res.status === 200 && expectedMember !== undefined && (res.body as { memberId?: string } | undefined)?.memberId !== expectedMember) {
    ctx.stats.violate('identity', kind, `${what} answered for another member`);
  }
}

async function validMember(ctx: Ctx, kind: 'valid' | 'admin' | 'expiring'): Promise<void> {
  const m = newMember(ctx.emu, { admin: kind === 'admin' });
  const memberId = m.members[0]!;
  const { jar } = sessionJar(ctx.emu, memberId);
  let i = 0;
  while (running(ctx)) {
    i++;
    if (kind === 'expiring' && i % 3 === 0) {
      // A genuine JWT past its exp: refreshed over the network (200 + new cookies) or 503 in an outage.
      const current = jar.cookies.get(JWT_COOKIE);
      if (current !== undefined) {
        const now = Math.floor(Date.now() / 1000);
        jar.cookies.set(JWT_COOKIE, withClaims(ctx.emu, current, (p) => void ((p.exp = now - 5), (p.iat = now - 305), (p.nbf = now - 305))));
      }
    }
    checkValid(ctx, kind, await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { jar, hardDeadlineMs: HARD_DEADLINE_MS }), 'GET /api/me', memberId);
    await think();
    if (!running(ctx)) break;
    const path = i % 2 === 0 ? '/api/admin' : '/api/self';
    const res = await call(ctx.agent, ctx.appUrl, 'GET', path, { jar, hardDeadlineMs: HARD_DEADLINE_MS });
    checkValid(ctx, kind, res, `GET ${path}`);
    if (path === '/api/admin' && kind !== 'admin' && res.status >= 200 && res.status < 300) ctx.stats.violate('rbac_fail_closed', kind, 'a plain member was allowed stytch.member:search');
    if (kind === 'admin' && res.status === 403) ctx.stats.violate('rbac_correct', kind, `an admin was denied ${path} during phase ${ctx.phase()}`);
    if (kind !== 'admin' && path === '/api/self' && res.status === 403) ctx.stats.violate('rbac_correct', kind, `a member was denied stytch.self during phase ${ctx.phase()}`);
    await think();
  }
}

async function revokedMember(ctx: Ctx): Promise<void> {
  const m = newMember(ctx.emu);
  while (running(ctx)) {
    const { jar, session } = sessionJar(ctx.emu, m.members[0]!);
    const revokeAfter = performance.now() + 1_000 + Math.random() * 3_000;
    while (running(ctx) && performance.now() < revokeAfter) {
      checkValid(ctx, 'revoked', await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { jar, hardDeadlineMs: HARD_DEADLINE_MS }), 'GET /api/me (before revoke)');
      await think();
    }
    if (!running(ctx)) break;
    // The attacker keeps the latest credentials it saw and replays them after the revocation.
    const cookie = jar.header() ?? '';
    const bearer = jar.cookies.get(JWT_COOKIE) ?? session.session_jwt;
    ctx.emu.admin.revokeSession({ member_session_id: session.member_session.member_session_id });
    ctx.stats.revocations++;
    const revokedAt = performance.now();
    const replayUntil = revokedAt + REVOCATION_WINDOW_MS + 3_000;
    let n = 0;
    while (running(ctx) && performance.now() < replayUntil) {
      n++;
      const res = await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', n % 2 === 0 ? { cookie, hardDeadlineMs: HARD_DEADLINE_MS } : { bearer, hardDeadlineMs: HARD_DEADLINE_MS });
      ctx.stats.record('revoked', res, 'replay of a revoked session');
      if (res.status >= 200 && res.status < 300 && performance.now() - revokedAt > REVOCATION_WINDOW_MS) {
        ctx.stats.violate('revoked_refused', 'revoked', `a revoked session was accepted ${Math.round(performance.now() - revokedAt)} ms after revocation`);
      }
      await think();
    }
  }
}

function forgeries(ctx: Ctx, real: string): { name: string; token: string; as: 'bearer' | 'cookie' | 'opaque' }[] {
  const payload = payloadOf(real);
  const kid = headerOf(real).kid as string;
  const now = Math.floor(Date.now() / 1000);
  const other = { ...payload, sub: 'member-test-00000000-0000-4000-8000-000000000000' };
  return [
    { name: 'KX-signed with the real kid', token: mintForged({ kid }, other), as: 'bearer' },
    { name: 'KX-signed, cookie', token: mintForged({ kid }, payload), as: 'cookie' },
    { name: 'alg none', token: mintAlgNone('none', other), as: 'bearer' },
    { name: 'HS256 with the public key', token: mintHs256({ kid }, other, ctx.publicKeyPem), as: 'cookie' },
    { name: 'one bit flipped in the payload', token: flipBit(real, 1), as: 'bearer' },
    { name: 'one bit flipped in the signature', token: flipBit(real, 2), as: 'cookie' },
    { name: 'expired and KX-signed', token: mintForged({ kid }, { ...payload, exp: now - 60 }), as: 'cookie' },
    { name: 'well signed for another project', token: resign(ctx.emu, { ...payload, aud: [ctx.otherProjectAudience] }), as: 'bearer' },
    { name: 'random kid', token: mintForged({ kid: `kid-${Math.random().toString(36).slice(2)}` }, payload), as: 'bearer' },
    { name: 'junk', token: 'not.a.jwt-' + Math.random().toString(36).slice(2), as: 'bearer' },
    { name: 'unknown opaque token', token: 'x'.repeat(12) + Math.random().toString(36).slice(2).replace(/[^a-z0-9]/g, 'a'), as: 'opaque' },
  ];
}

async function forger(ctx: Ctx): Promise<void> {
  const m = newMember(ctx.emu, { admin: true });
  let real = ctx.emu.admin.createSession({ member_id: m.members[0]! }).session_jwt;
  let i = 0;
  while (running(ctx)) {
    i++;
    if (i % 20 === 0) real = ctx.emu.admin.createSession({ member_id: m.members[0]! }).session_jwt;
    const list = forgeries(ctx, real);
    const f = list[i % list.length]!;
    const init =
      f.as === 'bearer'
        ? { bearer: f.token, hardDeadlineMs: HARD_DEADLINE_MS }
        : f.as === 'cookie'
          ? { cookie: `${JWT_COOKIE}=${f.token}`, hardDeadlineMs: HARD_DEADLINE_MS }
          : { cookie: `${TOKEN_COOKIE}=${f.token}`, hardDeadlineMs: HARD_DEADLINE_MS };
    const path = i % 3 === 0 ? '/api/admin' : '/api/me';
    const res = await call(ctx.agent, ctx.appUrl, 'GET', path, init);
    ctx.stats.record('forger', res, `forged (${f.name})`);
    if (res.status >= 200 && res.status < 300) ctx.stats.violate('forged_refused', 'forger', `${f.name} was accepted on ${path}`);
    // Judged locally it is a 401; only while no signing key could ever be loaded (a cold cache
    // during an outage, catalogue section 13) may it be a 503. Never a 2xx (checked above).
    if (res.status !== 401) ctx.stats.forgedUndecided++;
    await think();
  }
}

async function switcher(ctx: Ctx): Promise<void> {
  const m = newMember(ctx.emu, { orgs: 2 });
  const { jar } = sessionJar(ctx.emu, m.members[0]!);
  let current = 0;
  let i = 0;
  while (running(ctx)) {
    i++;
    checkValid(ctx, 'switcher', await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { jar, hardDeadlineMs: HARD_DEADLINE_MS }), 'GET /api/me', m.members[current]);
    await think();
    if (!running(ctx) || i % 3 !== 0) continue;
    const target = 1 - current;
    const res = await call(ctx.agent, ctx.appUrl, 'POST', '/auth/switch-organization', { jar, json: { organization_id: m.organizations[target] }, hardDeadlineMs: HARD_DEADLINE_MS });
    checkValid(ctx, 'switcher', res, 'POST /auth/switch-organization');
    if (res.status >= 200 && res.status < 400) {
      current = target;
      ctx.stats.switches++;
    }
    await think();
  }
}

async function loggingOut(ctx: Ctx): Promise<void> {
  const m = newMember(ctx.emu);
  const memberId = m.members[0]!;
  while (running(ctx)) {
    const { jar, session } = sessionJar(ctx.emu, memberId);
    const requests = 2 + Math.floor(Math.random() * 5);
    for (let i = 0; i < requests && running(ctx); i++) {
      checkValid(ctx, 'logout', await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { jar, hardDeadlineMs: HARD_DEADLINE_MS }), 'GET /api/me', memberId);
      await think();
    }
    if (!running(ctx)) break;
    const before = jar.header() ?? '';
    const out = await call(ctx.agent, ctx.appUrl, 'POST', '/auth/logout', { jar, hardDeadlineMs: HARD_DEADLINE_MS });
    ctx.stats.record('logout', out, 'POST /auth/logout');
    // Logout always signs out locally, even when Stytch is down (catalogue #70).
    if (out.status !== 200 || !out.cleared.includes(JWT_COOKIE) || !out.cleared.includes(TOKEN_COOKIE)) {
      ctx.stats.violate('logout_clears', 'logout', `logout answered ${out.status} and cleared [${out.cleared.join(',')}] during ${ctx.phase()}`);
    }
    ctx.stats.logouts++;
    // If the revoke could not reach Stytch during an outage, make sure the session is gone now;
    // from here on the old cookies are a revoked credential.
    try {
      ctx.emu.admin.revokeSession({ member_session_id: session.member_session.member_session_id });
    } catch {
      // already revoked by the logout
    }
    const revokedAt = performance.now();
    const replayUntil = revokedAt + REVOCATION_WINDOW_MS + 2_000;
    while (running(ctx) && performance.now() < replayUntil) {
      const res = await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { cookie: before, hardDeadlineMs: HARD_DEADLINE_MS });
      ctx.stats.record('logout', res, 'replay after logout');
      if (res.status >= 200 && res.status < 300) ctx.stats.logoutAcceptedMaxMs = Math.max(ctx.stats.logoutAcceptedMaxMs, performance.now() - revokedAt);
      if (res.status >= 200 && res.status < 300 && performance.now() - revokedAt > ctx.logoutBoundMs) {
        ctx.stats.violate('revoked_refused', 'logout', `cookies replayed ${Math.round(performance.now() - revokedAt)} ms after logout were accepted`);
      }
      await sleep(ctx.logoutBoundMs < REVOCATION_WINDOW_MS ? 100 + Math.random() * 200 : 400 + Math.random() * 400);
    }
  }
}

async function loggingIn(ctx: Ctx): Promise<void> {
  const m = newMember(ctx.emu);
  const memberId = m.members[0]!;
  while (running(ctx)) {
    const jar = new Jar();
    const start = await call(ctx.agent, ctx.appUrl, 'POST', '/auth/login/email', { jar, json: { email_address: m.email, organization_id: m.organizations[0] }, hardDeadlineMs: HARD_DEADLINE_MS });
    ctx.stats.record('login', start, 'POST /auth/login/email');
    if (start.status !== 202) {
      await sleep(500);
      continue;
    }
    const link = ctx.emu.outbox.latest({ to: m.email })?.link;
    if (link === undefined) {
      ctx.stats.violate('login', 'login', 'login start answered 202 but no email was sent');
      continue;
    }
    const url = new URL(link);
    const back = await call(ctx.agent, ctx.appUrl, 'GET', url.pathname + url.search, { jar, hardDeadlineMs: HARD_DEADLINE_MS });
    ctx.stats.record('login', back, 'GET /auth/callback');
    if (back.status !== 303 || !back.set.includes(JWT_COOKIE)) {
      // An outage during the callback: the link is spent or Stytch was unreachable; start over.
      await sleep(300);
      continue;
    }
    ctx.stats.logins++;
    for (let i = 0; i < 6 && running(ctx); i++) {
      await think();
      checkValid(ctx, 'login', await call(ctx.agent, ctx.appUrl, 'GET', '/api/me', { jar, hardDeadlineMs: HARD_DEADLINE_MS }), 'GET /api/me after login', memberId);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Chaos: the emulator misbehaves in phases while the members keep going.

const AUTHENTICATE = 'POST /v1/b2b/sessions/authenticate';
const JWKS = 'GET /v1/b2b/sessions/jwks/*';
const POLICY = 'GET /v1/b2b/rbac/*';
const FOREVER = 1_000_000;

const PHASES: { name: string; apply: (emu: Emulator) => void }[] = [
  { name: 'calm', apply: () => undefined },
  { name: 'authenticate 503', apply: (emu) => emu.faults.next(AUTHENTICATE, { status: 503 }, FOREVER) },
  { name: 'key rotation', apply: (emu) => void emu.admin.rotateKeys({ keepOld: true }) },
  { name: 'authenticate hangs', apply: (emu) => emu.faults.next(AUTHENTICATE, { hang: true }, FOREVER) },
  { name: 'calm', apply: () => undefined },
  { name: 'authenticate 429 Retry-After 1', apply: (emu) => emu.faults.next(AUTHENTICATE, { status: 429, retryAfterSeconds: 1 }, FOREVER) },
  { name: 'authenticate malformed JSON', apply: (emu) => emu.faults.next(AUTHENTICATE, { malformed: true }, FOREVER) },
  { name: 'authenticate drops mid-body', apply: (emu) => emu.faults.next(AUTHENTICATE, { drop: 'mid_body' }, FOREVER) },
  { name: 'JWKS down + key rotation', apply: (emu) => (emu.faults.next(JWKS, { status: 503 }, FOREVER), void emu.admin.rotateKeys({ keepOld: true })) },
  { name: 'policy endpoints down', apply: (emu) => emu.faults.next(POLICY, { status: 500 }, FOREVER) },
  { name: 'slow Stytch (250 ms)', apply: (emu) => emu.faults.next('*', { delayMs: 250 }, FOREVER) },
  { name: 'everything down', apply: (emu) => emu.faults.next('*', { status: 503 }, FOREVER) },
];

async function chaos(ctx: Ctx, phaseMs: number, setPhase: (name: string) => void): Promise<void> {
  let i = 0;
  while (running(ctx)) {
    const phase = PHASES[i % PHASES.length]!;
    ctx.emu.faults.clear();
    phase.apply(ctx.emu);
    setPhase(phase.name);
    if (phase.name !== 'calm') ctx.stats.outagesSurvived.set(phase.name, (ctx.stats.outagesSurvived.get(phase.name) ?? 0) + 1);
    const until = performance.now() + phaseMs;
    while (running(ctx) && performance.now() < until) await sleep(100);
    // The emulator keeps a record of every call; count and drop it so its memory stays flat.
    // (The outbox is left alone: members read their links from it concurrently.)
    ctx.stats.upstreamCalls += ctx.emu.calls.count();
    ctx.emu.calls.clear();
    i++;
  }
  ctx.emu.faults.clear();
  setPhase('calm');
}

// ---------------------------------------------------------------------------------------------

interface AppHandle {
  url: string;
  heap(): Promise<number>;
  timing(): Promise<ServerTiming>;
  close(): Promise<void>;
  describe: string;
}

async function startApps(args: Args, emu: Emulator, redis: RedisServer | undefined): Promise<AppHandle> {
  const config: SoakAppConfig = {
    stytchUrl: emu.url,
    projectId: emu.projectId,
    secret: emu.secret,
    upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
    maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS,
    ...(redis === undefined ? {} : { redisUrl: redis.url }),
  };
  if (!args.cluster && !args.fleet) {
    const app = await startSoakApp(config, 0, DEADLINE_MS);
    return { url: app.url, heap: () => Promise.resolve(heapAfterGc()), timing: () => Promise.resolve(app.timing), close: () => app.close(), describe: 'one process' };
  }
  cluster.setupPrimary({ execArgv: process.execArgv, silent: false });
  const workers = (args.fleet ? [0, 1, 2] : [0, 1]).map(() => cluster.fork({ SOAK_APP_CONFIG: JSON.stringify(config) }));
  const urls = await Promise.all(
    workers.map(
      (w) =>
        new Promise<string>((resolve, reject) => {
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
          w.on('message', (msg: { type?: string; url?: string }) => {
            if (msg.type === 'ready' && typeof msg.url === 'string') resolve(msg.url);
          });
        }),
    ),
  );
  if (new Set(urls).size !== 1) throw new Error(`cluster workers listen on different ports: ${urls.join(', ')}`);
  const reportOf = (w: (typeof workers)[number]) =>
    new Promise<{ heapUsed: number; timing: ServerTiming }>((resolve) => {
      const onMessage = (msg: { type?: string; heapUsed?: number; timing?: ServerTiming }) => {
        if (msg.type === 'heap' && msg.timing !== undefined) {
          w.off('message', onMessage);
          resolve({ heapUsed: msg.heapUsed ?? 0, timing: msg.timing });
        }
      };
      w.on('message', onMessage);
      w.send({ type: 'heap' });
    });
  return {
    url: urls[0]!,
    describe: args.fleet ? 'node:cluster, 3 workers on one Redis' : 'node:cluster, 2 workers',
    heap: async () => Math.max(...(await Promise.all(workers.map(reportOf))).map((r) => r.heapUsed)),
    timing: async () => {
      const all = (await Promise.all(workers.map(reportOf))).map((r) => r.timing);
      return {
        answered: all.reduce((n, t) => n + t.answered, 0),
        maxMs: Math.max(...all.map((t) => t.maxMs)),
        overDeadline: all.reduce((n, t) => n + t.overDeadline, 0),
        examples: all.flatMap((t) => t.examples),
        deadlineMs: DEADLINE_MS,
      };
    },
    close: async () => {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.removeAllListeners('exit');
              w.once('exit', () => resolve());
              w.send({ type: 'stop' });
              setTimeout(() => w.kill(), 5_000).unref();
            }),
        ),
      );
    },
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function primary(args: Args): Promise<number> {
  const emu = await startEmulator({ quiet: true, port: 0 });
  const redis = args.fleet ? await startRedisServer() : undefined;
  const apps = await startApps(args, emu, redis);
  const agent = createAgent(Math.min(256, Math.max(32, Math.floor(args.members / 2))));
  const jwks = (await (await fetch(emu.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
  const publicKeyPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const stats = new Stats();
  let phase = 'calm';
  const started = performance.now();
  const ctx: Ctx = {
    emu,
    appUrl: apps.url,
    agent,
    stats,
    endAt: started + args.durationMs,
    publicKeyPem,
    otherProjectAudience: 'project-test-00000000-0000-4000-8000-000000000000',
    phase: () => phase,
    logoutBoundMs: args.fleet ? FLEET_PROPAGATION_MS : REVOCATION_WINDOW_MS,
  };

  // Warm-up and heap baseline (after the members' first requests, so caches exist).
  const heapSamples: number[] = [];
  const baselineHeap = await apps.heap();
  const members: Promise<void>[] = [];
  const totalWeight = KINDS.reduce((sum, k) => sum + WEIGHTS[k], 0);
  const cycle = KINDS.flatMap((k) => Array<Kind>(WEIGHTS[k]).fill(k));
  for (let i = 0; i < args.members; i++) {
    const kind = cycle[i % totalWeight]!;
    const run = (): Promise<void> => {
      switch (kind) {
        case 'valid':
        case 'admin':
        case 'expiring':
          return validMember(ctx, kind);
        case 'revoked':
          return revokedMember(ctx);
        case 'forger':
          return forger(ctx);
        case 'switcher':
          return switcher(ctx);
        case 'logout':
          return loggingOut(ctx);
        case 'login':
          return loggingIn(ctx);
      }
    };
    // Stagger the start so the first second is not one thundering herd.
    members.push(sleep(Math.random() * 1_000).then(run));
  }
  const phaseMs = args.short ? 1_200 : 2_500;
  const sampler = (async () => {
    while (running(ctx)) {
      await sleep(2_000);
      heapSamples.push(await apps.heap());
    }
  })();
  const chaosRun = chaos(ctx, phaseMs, (name) => {
    phase = name;
  });
  const settled = await Promise.allSettled([...members, chaosRun, sampler]);
  for (const s of settled) if (s.status === 'rejected') stats.violate('harness', 'valid', `a simulated member crashed: ${String((s.reason as Error)?.stack ?? s.reason)}`);
  const elapsedMs = performance.now() - started;
  stats.upstreamCalls += emu.calls.count();
  const finalHeap = await apps.heap();
  const timing = await apps.timing();
  if (timing.overDeadline > 0) stats.violate('deadline', 'valid', `${timing.overDeadline} answer(s) slower than ${DEADLINE_MS} ms in the app, e.g. ${timing.examples.join('; ')}`);
  const growth = finalHeap - baselineHeap;
  if (growth > HEAP_GROWTH_LIMIT_BYTES) stats.violate('memory_bounded', 'valid', `heap grew by ${(growth / 1048576).toFixed(1)} MiB (limit ${HEAP_GROWTH_LIMIT_BYTES / 1048576} MiB)`);

  await agent.close();
  await apps.close();
  await emu.close();
  await redis?.stop();

  // ---- one summary
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const rows = KINDS.map((k) => {
    const s = stats.byKind.get(k)!;
    return `| ${k.padEnd(9)} | ${String(s.requests).padStart(7)} | ${String(s.ok).padStart(7)} | ${String(s.s401).padStart(6)} | ${String(s.s403).padStart(5)} | ${String(s.s503).padStart(6)} | ${String(s.other).padStart(5)} | ${String(Math.round(s.maxMs)).padStart(6)} |`;
  });
  const out = [
    `soak: ${args.members} members, ${(elapsedMs / 1000).toFixed(1)} s, ${apps.describe}; ${stats.total} requests (${Math.round(stats.total / (elapsedMs / 1000))}/s), ${stats.upstreamCalls} upstream calls`,
    '| member    | requests|  2xx/3xx|   401 |  403 | 5xx*  | other| max ms |',
    '|-----------|--------:|--------:|------:|-----:|------:|-----:|-------:|',
    ...rows,
    `(5xx* = 502/503/429 while Stytch misbehaved; 403 = plain members on the admin-only route, as they should)`,
    `app answer time: max ${Math.round(timing.maxMs)} ms over ${timing.answered} answers (deadline ${DEADLINE_MS} ms, ${timing.overDeadline} over); client view p50 ${percentile(stats.latencies, 50).toFixed(1)} ms, p99 ${percentile(stats.latencies, 99).toFixed(1)} ms, max ${Math.round(stats.maxMs)} ms, hung ${stats.hung}`,
    `forged/junk answered 503 instead of 401 (keys or Stytch unreachable): ${stats.forgedUndecided}`,
    `logins ${stats.logins}, switches ${stats.switches}, logouts ${stats.logouts}, revocations ${stats.revocations}, cookie refreshes ${stats.refreshes}`,
    `logged-out sessions: last accepted ${Math.round(stats.logoutAcceptedMaxMs)} ms after their logout (bound ${ctx.logoutBoundMs} ms${args.fleet ? ', fleet on Redis' : ''})`,
    `outages survived: ${[...stats.outagesSurvived].map(([n, c]) => `${n} x${c}`).join('; ')}`,
    `heap: baseline ${mib(baselineHeap)}, max sample ${mib(Math.max(baselineHeap, ...heapSamples))}, final ${mib(finalHeap)} (growth limit ${mib(HEAP_GROWTH_LIMIT_BYTES)})`,
    stats.violationCount === 0 ? 'invariants: all held' : `invariants: ${stats.violationCount} VIOLATION(S)`,
    ...stats.violations.map((v) => `  - [${v.invariant}] ${v.kind}: ${v.detail}`),
  ];
  console.log(out.join('\n'));
  return stats.violationCount === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Cluster worker: serve the soak app on the shared port until told to stop.
if (cluster.isWorker) {
  const config = JSON.parse(process.env.SOAK_APP_CONFIG ?? '{}') as SoakAppConfig;
  const app = await startSoakApp(config, 0, DEADLINE_MS);
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'heap') process.send?.({ type: 'heap', heapUsed: heapAfterGc(), timing: app.timing });
    if (msg.type === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready', url: app.url, heapUsed: heapAfterGc(), pid: process.pid });
} else {
  const code = await primary(parseArgs(process.argv.slice(2)));
  process.exit(code);
}
