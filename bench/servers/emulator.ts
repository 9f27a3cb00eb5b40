/**
 * The emulator child: the local Stytch B2B emulator in its own process, so that the network path
 * (opaque tokens, JWKS) crosses a real loopback socket and the emulator's CPU is not charged to
 * the scenario server being measured.
 *
 * It also mints the credentials the load generator sends: real sessions through the emulator's
 * admin API, and pools of distinct JWTs signed with the emulator's current key (so every
 * contender verifies exactly the same kind of token).
 */
import { randomUUID } from 'node:crypto';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { SESSION_CLAIM } from '../../src/client/types.js';
import type { RbacPolicy } from '../../src/client/types.js';
import { serveRpc } from '../lib/rpc.js';
import type { EmulatorInfo } from '../lib/child.js';
import type { ChildRoundReport } from '../lib/stats.js';

/** The custom permission the benchmark checks: a project-level resource and an editor role. */
const PERMISSION = { resourceId: 'documents', action: 'read' } as const;
const EDITOR_ROLE = 'bench_editor';

let emulator: Emulator | undefined;
let memberId = '';
let template: Record<string, unknown> | undefined;
let cpuAtStart = process.cpuUsage();
let info: EmulatorInfo | undefined;

function running(): Emulator {
  if (!emulator) throw new Error('emulator child: start was not called');
  return emulator;
}

function decodePayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new Error('emulator child: createSession returned a malformed JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The scope the warm M2M scenario requires (mapped onto the benchmark permission in the policy). */
const M2M_SCOPE = 'read:documents';
let m2mClient: { client_id: string; client_secret: string } | undefined;

function withBenchPolicy(policy: RbacPolicy): RbacPolicy {
  // Appended to the default policy, so the stytch_* roles and resources stay as the spec defines.
  return {
    ...policy,
    scopes: [
      ...(policy.scopes ?? []).filter((s) => s.scope !== M2M_SCOPE),
      { scope: M2M_SCOPE, description: 'Read benchmark documents', permissions: [{ resource_id: PERMISSION.resourceId, actions: ['read'] }] },
    ],
    resources: [
      ...policy.resources.filter((r) => r.resource_id !== PERMISSION.resourceId),
      { resource_id: PERMISSION.resourceId, description: 'Benchmark documents', actions: ['read', 'write'] },
    ],
    roles: [
      ...policy.roles.filter((r) => r.role_id !== EDITOR_ROLE),
      { role_id: EDITOR_ROLE, description: 'May read benchmark documents', permissions: [{ resource_id: PERMISSION.resourceId, actions: ['read'] }] },
    ],
  };
}

/** A new real session of the benchmark member (a long session; its JWT lives the usual 5 minutes). */
function newSession(): { session_token: string; session_jwt: string } {
  const { session_token, session_jwt } = running().admin.createSession({ member_id: memberId, session_duration_minutes: 24 * 60 });
  return { session_token, session_jwt };
}

serveRpc({
  async start(): Promise<EmulatorInfo> {
    emulator = await startEmulator({ port: 0, quiet: true });
    emulator.admin.setProjectPolicy(withBenchPolicy(emulator.admin.getProjectPolicy()));
    const organization = emulator.admin.createOrganization({ organization_name: 'Bench Corp', organization_slug: 'bench-corp' });
    const member = emulator.admin.createMember(organization.organization_id, { email_address: 'bench@bench-corp.example', name: 'Bench Member', roles: [EDITOR_ROLE] });
    memberId = member.member_id;
    info = {
      url: emulator.url,
      projectId: emulator.projectId,
      secret: emulator.secret,
      jwksUrl: emulator.jwksUrl,
      issuer: emulator.issuer,
      organizationId: organization.organization_id,
      memberId,
      permission: PERMISSION,
    };
    return info;
  },
  info(): EmulatorInfo {
    if (!info) throw new Error('emulator child: start was not called');
    return info;
  },
  session: newSession,
  /** An M2M access token from the real token endpoint (client credentials, one hour). */
  async 'm2m-token'(): Promise<string> {
    const emu = running();
    m2mClient ??= emu.admin.createM2MClient({ scopes: [M2M_SCOPE], client_name: 'bench' });
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: m2mClient.client_id, client_secret: m2mClient.client_secret, scope: M2M_SCOPE });
    const res = await fetch(`${emu.url}/v1/public/${emu.projectId}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const answer = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || typeof answer.access_token !== 'string') throw new Error(`emulator child: the token endpoint answered ${res.status}`);
    return answer.access_token;
  },
  /** `count` opaque session tokens of distinct real sessions (they live a day). */
  'opaque-pool'(args: { count: number }): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < args.count; i++) tokens.push(newSession().session_token);
    return tokens;
  },
  /**
   * `count` distinct JWTs: the claims of a real session JWT with a fresh `iat`/`nbf`/`exp` and a
   * distinct session id each, signed RS256 with the emulator's current key.
   */
  'mint-jwts'(args: { count: number }): string[] {
    const emu = running();
    template ??= decodePayload(newSession().session_jwt);
    const sessionClaim = template[SESSION_CLAIM] as Record<string, unknown>;
    const tokens: string[] = [];
    for (let i = 0; i < args.count; i++) {
      const iat = Math.floor(emu.clock.now() / 1000);
      tokens.push(
        emu.admin.signJwt({
          ...template,
          iat,
          nbf: iat,
          exp: iat + 300,
          [SESSION_CLAIM]: { ...sessionClaim, id: `session-test-${randomUUID()}` },
        }),
      );
    }
    return tokens;
  },
  'round-start'() {
    running().calls.clear();
    cpuAtStart = process.cpuUsage();
  },
  'round-end'(): ChildRoundReport & { calls: number } {
    const cpu = process.cpuUsage(cpuAtStart);
    const calls = running().calls.count();
    running().calls.clear();
    return {
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      calls,
    };
  },
  async stop() {
    const closing = emulator;
    emulator = undefined;
    await closing?.close();
    setImmediate(() => process.exit(0));
  },
});
