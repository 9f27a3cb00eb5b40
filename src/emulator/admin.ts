/** The in-process test API (`emulator.admin`): seeds data and pokes at state without HTTP. */
import type { AuthenticationFactor, OrgPolicy, RbacPolicy } from '../client/types.js';
import { createConnectedApp, createM2MClient, issueConnectedAppToken, revokeAccessToken } from './m2m.js';
import { revokeBy } from './revoke.js';
import { buildFactor } from './factors.js';
import { signJwt } from './jwt.js';
import { createMemberRecord, memberView } from './members.js';
import { createOrganization, findOrganization, readOrgPolicy, requireOrganization } from './organizations.js';
import { createSession, mergeCustomClaims, sessionResponse } from './sessions.js';
import { mintOAuthToken, mintSsoToken } from './sso-tokens.js';
import type { EmulatorState } from './state.js';
import { totp } from './totp.js';
import type { AdminMemberInput, EmulatorAdmin } from './types.js';
import { optInt, reqEmail } from './validate.js';

function validatePolicy(policy: RbacPolicy): RbacPolicy {
  if (typeof policy !== 'object' || policy === null || !Array.isArray(policy.roles) || !Array.isArray(policy.resources)) {
    throw new TypeError('policy must be { roles: [], resources: [], scopes?: [] }');
  }
  const roles = readOrgPolicy({ roles: policy.roles }).roles;
  const scopes = policy.scopes ?? [];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'object' && s !== null && typeof s.scope === 'string' && Array.isArray(s.permissions))) {
    throw new TypeError('policy.scopes must be [{ scope, description, permissions: [] }]');
  }
  return { roles, resources: structuredClone(policy.resources), scopes: structuredClone(scopes) };
}

export function createAdmin(state: EmulatorState): EmulatorAdmin {
  return {
    createOrganization(input) {
      return structuredClone(createOrganization(state, { ...input }));
    },
    createMember(organizationId, input: AdminMemberInput) {
      const org = requireOrganization(state, organizationId);
      const email = reqEmail({ email_address: input.email_address });
      const status = input.status ?? 'active';
      const member = createMemberRecord(state, org, {
        ...input,
        email_address: email,
        status,
        email_address_verified: status === 'active',
        mfa_phone_number_verified: input.mfa_phone_number !== undefined && (input.mfa_phone_number_verified ?? true),
      });
      return memberView(state, member);
    },
    getOrganization(idOrSlug) {
      const org = findOrganization(state, idOrSlug);
      return org ? structuredClone(org) : undefined;
    },
    getMember(memberId) {
      const member = state.members.get(memberId);
      return member ? memberView(state, member) : undefined;
    },
    createSession(input) {
      const member = state.members.get(input.member_id);
      if (!member || member.status === 'deleted') throw new TypeError(`no member ${input.member_id}`);
      const org = requireOrganization(state, member.organization_id);
      const duration = optInt({ d: input.session_duration_minutes }, 'd', 5, 527_040) ?? 60;
      const factors: AuthenticationFactor[] = (input.factors ?? ['magic_link']).map((type) => buildFactor(state, type, member));
      const session = createSession(state, member, factors, duration, mergeCustomClaims({}, input.custom_claims ?? {}));
      if (member.status !== 'active') {
        member.status = 'active';
        member.email_address_verified = true;
      }
      const { session_token, session_jwt, member_session } = sessionResponse(state, session, member, org);
      return { session_token, session_jwt, member_session };
    },
    revokeSession(input) {
      revokeBy(state, input);
    },
    setProjectPolicy(policy: RbacPolicy) {
      state.policy = validatePolicy(policy);
    },
    getProjectPolicy() {
      return structuredClone(state.policy);
    },
    setOrgPolicy(organizationId: string, orgPolicy: OrgPolicy) {
      const org = requireOrganization(state, organizationId);
      const parsed = readOrgPolicy(orgPolicy);
      state.orgPolicies.set(org.organization_id, parsed);
      org.custom_roles = structuredClone(parsed.roles);
    },
    rotateKeys(options) {
      return { kid: state.keys.rotate(options?.keepOld ?? true).kid };
    },
    removeKey(kid) {
      state.keys.remove(kid);
    },
    currentKid() {
      return state.keys.current.kid;
    },
    signJwt(payload, header) {
      return signJwt(state.keys.current, payload, header);
    },
    issueOAuthToken(input) {
      const email = reqEmail({ email_address: input.email_address });
      return mintOAuthToken(state, {
        email_address: email,
        provider: input.provider ?? 'google',
        provider_subject: `subject-${email}`,
        ...(input.organization_id !== undefined ? { organization_id: input.organization_id } : {}),
        ...(input.email_verified !== undefined ? { email_verified: input.email_verified } : {}),
        ...(input.tenant_id !== undefined ? { tenant_id: input.tenant_id } : {}),
        ...(input.pkce_code_challenge !== undefined ? { pkce_code_challenge: input.pkce_code_challenge } : {}),
      });
    },
    issueSsoToken(input) {
      if (!state.members.has(input.member_id)) throw new TypeError(`no member ${input.member_id}`);
      return mintSsoToken(state, { member_id: input.member_id, ...(input.pkce_code_challenge !== undefined ? { pkce_code_challenge: input.pkce_code_challenge } : {}) });
    },
    publicToken() {
      return state.settings.publicToken;
    },
    createM2MClient(input) {
      const { client, secret } = createM2MClient(state, { ...input });
      return { client_id: client.client_id, client_secret: secret, scopes: [...client.scopes] };
    },
    createConnectedApp(input = {}) {
      return createConnectedApp(state, input);
    },
    issueConnectedAppToken(input) {
      return issueConnectedAppToken(state, input);
    },
    revokeAccessToken(accessToken) {
      revokeAccessToken(state, accessToken);
    },
    totpCode(secret, atMs) {
      return totp(secret, atMs ?? state.now());
    },
    reset() {
      state.reset();
    },
  };
}
