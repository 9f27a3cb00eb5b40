/**
 * Adversarial review: one request, one credential. Whatever decided the identity is also the
 * credential that later checks (remote RBAC, route handlers) present to Stytch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getStytchAuth } from '../../src/middleware/auth-object.js';
import { getStytchContext } from '../../src/middleware/context.js';
import { requirePermission } from '../../src/middleware/require-permission.js';
import { settleFaults, useEmulator } from '../helpers/emulator.js';
import { startGuardApp } from '../rbac/support.js';
import type { GuardApp } from '../rbac/support.js';
import { get } from '../middleware/support.js';

const emu = useEmulator();
let app: GuardApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
  settleFaults(emu());
});

let counter = 0;
function member(organizationId: string, roles?: string[]) {
  counter++;
  const m = emu().admin.createMember(organizationId, { email_address: `review-${counter}-${Date.now()}@example.com`, status: 'active', ...(roles ? { roles } : {}) });
  return m;
}

describe('review: credential used after a signing-key rotation', () => {
  it('review: when the opaque cookie decides for a JWT with a not-yet-loaded kid, remote RBAC checks that same session, not the JWT', async () => {
    const org = emu().admin.createOrganization({ organization_name: 'Review rotation', organization_slug: `review-rot-${Date.now()}` });
    const plain = member(org.organization_id);
    const admin = member(org.organization_id, ['stytch_admin']);
    app = await startGuardApp(emu(), (a) => {
      a.get('/members/delete', requirePermission('stytch.member', 'delete', { mode: 'remote' }), (req, res) => {
        const auth = getStytchAuth(req);
        res.json({ memberId: auth.isAuthenticated ? auth.memberId : null, credential: getStytchContext(req).credential?.source });
      });
      a.get('/who', (req, res) => {
        const auth = getStytchAuth(req);
        res.json({ memberId: auth.isAuthenticated ? auth.memberId : null, credential: getStytchContext(req).credential?.source });
      });
    });
    const plainSession = emu().admin.createSession({ member_id: plain.member_id });
    // Warm the app's JWKS with the current key.
    expect((await get(`${app.url}/who`, { bearer: plainSession.session_jwt })).body.memberId).toBe(plain.member_id);

    // Stytch rotates its key; a JWT signed with the new kid arrives inside the refetch cooldown.
    emu().admin.rotateKeys({ keepOld: true });
    const adminSession = emu().admin.createSession({ member_id: admin.member_id });
    const cookie = `stytch_session_jwt=${adminSession.session_jwt}; stytch_session=${plainSession.session_token}`;

    const who = await get(`${app.url}/who`, { cookie });
    expect(who.body.memberId).toBe(plain.member_id);
    // The identity came from the opaque token: so must the credential the request carries on.
    expect(who.body.credential).toBe('session_cookie');

    const res = await get(`${app.url}/members/delete`, { cookie });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('permission_denied');
  });
});
