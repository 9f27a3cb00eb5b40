/**
 * Email JIT provisioning on `magicLinks.email.loginOrSignup` and `otps.email.loginOrSignup`
 * (reference A11.6; SDK doc comment of `email_jit_provisioning` in types/lib/b2b/organizations.d.ts).
 * JIT off → `email_jit_provisioning_not_allowed`; RESTRICTED with a domain not allowed →
 * `invalid_email_for_jit_provisioning` (stytch-node PR #379). Statuses are not documented: 403 [INF].
 */
import { describe, expect, it } from 'vitest';
import { expectStytch, newEmail, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

const CALLS = {
  'magicLinks.email.loginOrSignup': (organization_id: string, email_address: string) => sdk().magicLinks.email.loginOrSignup({ organization_id, email_address }),
  'otps.email.loginOrSignup': (organization_id: string, email_address: string) => sdk().otps.email.loginOrSignup({ organization_id, email_address }),
};

for (const [name, send] of Object.entries(CALLS)) {
  describe(`${name}: email JIT provisioning (A11.6)`, () => {
    it('NOT_ALLOWED (the default) refuses an unknown address: email_jit_provisioning_not_allowed', async () => {
      // `email_jit_provisioning`: "NOT_ALLOWED – the default setting, disables JIT provisioning".
      const org = newOrg(emu(), { email_allowed_domains: ['example.com'] });
      expect(org.email_jit_provisioning).toBe('NOT_ALLOWED');
      await expectStytch(send(org.organization_id, newEmail()), 403, 'email_jit_provisioning_not_allowed');
    });

    it('RESTRICTED refuses a domain outside email_allowed_domains: invalid_email_for_jit_provisioning', async () => {
      // "RESTRICTED – only new Members with verified emails that comply with email_allowed_domains can be provisioned".
      const org = newOrg(emu(), { email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['allowed.example'] });
      await expectStytch(send(org.organization_id, newEmail()), 403, 'invalid_email_for_jit_provisioning');
    });

    it('RESTRICTED with an allowed domain creates a pending member', async () => {
      // A11.6 table: RESTRICTED, domain listed → member created (pending), signup email sent.
      const org = newOrg(emu(), { email_jit_provisioning: 'RESTRICTED', email_allowed_domains: ['allowed.example'] });
      const res = await send(org.organization_id, `new-${uniq()}@allowed.example`);
      expect(res.member_created).toBe(true);
      expect(res.member.status).toBe('pending');
    });

    it('an existing member signs in whatever the JIT setting', async () => {
      // A11.6: the JIT rules apply to an unknown email only.
      const org = newOrg(emu());
      const m = emu().admin.createMember(org.organization_id, { email_address: newEmail(), status: 'active' });
      expect((await send(org.organization_id, m.email_address)).member_created).toBe(false);
    });
  });
}
