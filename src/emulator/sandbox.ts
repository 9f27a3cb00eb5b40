/** Stytch's documented test-project sandbox values (reference 8.1). */
import type { Organization } from '../client/types.js';
import { createMemberRecord, findMemberByEmail } from './members.js';
import { createOrganization } from './organizations.js';
import type { EmulatorState, MemberRecord } from './state.js';

export const SANDBOX_EMAIL = 'sandbox@stytch.com';
export const SANDBOX_ORGANIZATION_ID = 'organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b';
export const SANDBOX_MAGIC_LINK_OK = 'DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=';
export const SANDBOX_MAGIC_LINK_USED = '3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU=';
export const SANDBOX_MAGIC_LINK_NOT_FOUND = 'CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM=';

/** The sandbox organization and member, created on first use with the documented fixed id. */
export function ensureSandbox(state: EmulatorState): { org: Organization; member: MemberRecord } {
  let org = state.organizations.get(SANDBOX_ORGANIZATION_ID);
  if (!org) {
    const created = createOrganization(state, { organization_name: 'Sandbox Organization', organization_slug: `sandbox-${Date.now().toString(36)}` });
    state.organizations.delete(created.organization_id);
    created.organization_id = SANDBOX_ORGANIZATION_ID;
    state.organizations.set(SANDBOX_ORGANIZATION_ID, created);
    org = created;
  }
  const member = findMemberByEmail(state, SANDBOX_ORGANIZATION_ID, SANDBOX_EMAIL) ??
    createMemberRecord(state, org, { email_address: SANDBOX_EMAIL, status: 'active', email_address_verified: true });
  return { org, member };
}
