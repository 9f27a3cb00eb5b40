/**
 * Parity with the official SDK for machine tokens, decision by decision:
 *   1. `requireScope(...required)` against `m2m.authenticateToken({ required_scopes })` for a
 *      table of granted scope sets × required scope sets (the SDK's `action:resource` rule);
 *   2. `requirePermission(resource, action)` for Connected-App tokens against
 *      `idp.introspectTokenLocal(token, { authorization_check })` (the policy's scope mapping).
 * Both sides verify the same emulator-signed tokens against the same JWKS.
 */
import express from 'express';
import fc from 'fast-check';
import * as stytch from 'stytch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RbacPolicy } from '../../src/client/types.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { indexScopes, missingScope } from '../../src/rbac/scopes.js';
import { requireScope } from '../../src/middleware/require-scope.js';
import { stytchAuth } from '../../src/middleware/stytch-auth.js';
import { useEmulator } from '../helpers/emulator.js';
import { emulatorOptions, get, listen, onCleanup } from '../middleware/support.js';

const policy: RbacPolicy = {
  roles: [
    { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'owner', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }, { resource_id: 'images', actions: ['*'] }] },
  ],
  resources: [
    { resource_id: 'documents', description: '', actions: ['read', 'write', 'delete'] },
    { resource_id: 'images', description: '', actions: ['read', 'write'] },
  ],
  scopes: [
    { scope: 'read:documents', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
    { scope: 'write:documents', description: '', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { scope: 'manage:everything', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }, { resource_id: 'images', actions: ['*'] }] },
    { scope: 'read:images', description: '', permissions: [{ resource_id: 'images', actions: ['read'] }] },
    { scope: 'nothing', description: '', permissions: [] },
  ],
};

const GRANTED: string[][] = [
  [],
  ['read:documents'],
  ['read:*'],
  ['read:documents', 'write:documents'],
  ['read'],
  ['documents:read'],
  ['*:documents'],
  ['read:documents:extra'],
  ['write:*', 'admin'],
  ['READ:documents'],
];
const REQUIRED: string[][] = [
  ['read:documents'],
  ['read'],
  ['read:documents', 'write:documents'],
  ['read:images'],
  ['*:documents'],
  ['read:documents:other'],
  ['admin'],
  ['write:*'],
  ['write:anything'],
];

const emu = useEmulator({ policy });
let sdk: stytch.B2BClient;

beforeAll(() => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  sdk = new stytch.B2BClient({ project_id: emu().projectId, secret: emu().secret, env: `${emu().url}/` });
  warn.mockRestore();
});
afterAll(() => {
  vi.restoreAllMocks();
});

function m2mToken(scopes: string[]): string {
  const iat = Math.floor(Date.now() / 1000);
  return emu().admin.signJwt({ sub: 'm2m-client-test-parity', iss: emu().issuer, aud: [emu().projectId], iat, nbf: iat, exp: iat + 3600, scope: scopes.join(' ') });
}

async function sdkAllows(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'missing_scopes' || code === 'invalid_permissions' || code === 'tenancy_mismatch') return false;
    throw error;
  }
}

describe('machine scope decisions agree with the official SDK', () => {
  it('requireScope decides like m2m.authenticateToken for every granted × required pair', async () => {
    const auth = stytchAuth(emulatorOptions(emu(), { acceptsToken: ['m2m'], now: Date.now }));
    onCleanup(() => auth.close());
    const app = express();
    app.use(auth);
    REQUIRED.forEach((required, i) => app.get(`/r/${i}`, requireScope(...required), (_req, res) => res.json({ ok: true })));
    const { url } = await listen(app);

    const disagreements: string[] = [];
    let allowed = 0;
    for (const granted of GRANTED) {
      const token = m2mToken(granted);
      for (const [i, required] of REQUIRED.entries()) {
        const ours = (await get(`${url}/r/${i}`, { bearer: token })).status;
        expect([200, 403]).toContain(ours);
        const theirs = await sdkAllows(() => sdk.m2m.authenticateToken({ access_token: token, required_scopes: required }));
        if (theirs) allowed++;
        if ((ours === 200) !== theirs) disagreements.push(`granted [${granted.join(' ')}] required [${required.join(' ')}]: ours ${ours}, SDK ${theirs ? 'allow' : 'deny'}`);
      }
    }
    expect(disagreements).toEqual([]);
    // The table is not trivially one-sided.
    expect(allowed).toBeGreaterThan(5);
    expect(allowed).toBeLessThan(GRANTED.length * REQUIRED.length - 5);
  });

  it('requirePermission decides like idp.introspectTokenLocal for Connected-App tokens', async () => {
    const auth = stytchAuth(emulatorOptions(emu(), { acceptsToken: ['connected_app'], now: Date.now }));
    onCleanup(() => auth.close());
    const checks: [string, string][] = [
      ['documents', 'read'],
      ['documents', 'write'],
      ['documents', 'delete'],
      ['images', 'read'],
      ['images', 'write'],
      ['videos', 'read'],
    ];
    const app = express();
    app.use(auth);
    checks.forEach(([resource, action], i) => app.get(`/p/${i}`, requirePermission(resource, action, { acceptsToken: ['connected_app'] }), (_req, res) => res.json({ ok: true })));
    const { url } = await listen(app);

    const org = emu().admin.createOrganization({ organization_name: 'Scope parity', organization_slug: 'scope-parity' });
    const member = emu().admin.createMember(org.organization_id, { email_address: 'owner@scope-parity.example', roles: ['owner'] });
    const connected = emu().admin.createConnectedApp();
    const grants: string[][] = [[], ['openid'], ['read:documents'], ['write:documents'], ['manage:everything'], ['read:images', 'nothing'], ['nothing']];

    const disagreements: string[] = [];
    for (const scopes of grants) {
      const { access_token } = emu().admin.issueConnectedAppToken({ client_id: connected.client_id, member_id: member.member_id, scopes });
      for (const [i, [resource, action]] of checks.entries()) {
        const ours = (await get(`${url}/p/${i}`, { bearer: access_token })).status;
        expect([200, 403]).toContain(ours);
        const theirs = await sdkAllows(() =>
          sdk.idp.introspectTokenLocal(access_token, { authorization_check: { organization_id: org.organization_id, resource_id: resource, action } }),
        );
        if ((ours === 200) !== theirs) disagreements.push(`scopes [${scopes.join(' ')}] ${resource}:${action}: ours ${ours}, SDK ${theirs ? 'allow' : 'deny'}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('the scope matcher agrees with the SDK on random granted and required scopes', async () => {
    const part = fc.constantFrom('read', 'write', '*', 'documents', 'Read', '', 'a-b');
    const scope = fc.oneof(part.filter((p) => p !== ''), fc.tuple(part, part).map(([a, b]) => `${a}:${b}`), fc.tuple(part, part, part).map(([a, b, c]) => `${a}:${b}:${c}`));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(scope, { maxLength: 4 }), fc.array(scope, { minLength: 1, maxLength: 3 }), async (granted, required) => {
        const token = m2mToken(granted);
        const theirs = await sdkAllows(() => sdk.m2m.authenticateToken({ access_token: token, required_scopes: required }));
        expect(missingScope(indexScopes(granted), required) === undefined).toBe(theirs);
      }),
      { numRuns: 150 },
    );
  });
});
