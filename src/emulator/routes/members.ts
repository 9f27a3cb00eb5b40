/** `/v1/b2b/organizations/{organization_id}/members*` (reference 6.2, 5.14). */
import type { Organization } from '../../client/types.js';
import { badRequest, memberNotFound, notFound } from '../http-errors.js';
import { newId } from '../ids.js';
import { issueEmailOtp, issueMagicLink } from '../links.js';
import { refuseTrustedMetadataAsMember, requireMemberPermission, requirePermissions, type Needed } from '../member-auth.js';
import {
  checkExternalIdFormat, createMemberRecord, emailInUse, findMember, findMemberByEmail, memberView, refuseRetiredEmail, requireMember, retiredBy,
} from '../members.js';
import { findOrganization, requireOrganization } from '../organizations.js';
import type { RouteRequest, Router } from '../router.js';
import { revokeMemberSessions } from '../sessions.js';
import type { EmulatorState, MemberRecord } from '../state.js';
import { checkSendRedirectUrl } from '../sso-redirects.js';
import {
  isPlainObject, optBool, optEnum, optNonEmpty, optObject, optPhone, optString, optStringArray, reqEmail,
} from '../validate.js';
import { memberOrgResponse } from './common.js';
import { paginate } from './organizations.js';

const EMAIL_UPDATE_MINUTES = 5;

function phoneTaken(state: EmulatorState, member: MemberRecord, phone: string): boolean {
  return [...state.members.values()].some((m) => m.organization_id === member.organization_id && m.member_id !== member.member_id && m.status !== 'deleted' && m.mfa_phone_number === phone);
}

function setPhone(state: EmulatorState, member: MemberRecord, phone: string): void {
  if (phoneTaken(state, member, phone)) throw badRequest('duplicate_member_phone_number', 'Another member of this organization uses this phone number.');
  member.mfa_phone_number = phone;
  member.mfa_phone_number_verified = false;
  member.phone_id = newId('phone-number');
}

/** Whether an address is waiting for verification by another member (pending email update). */
function pendingForOther(state: EmulatorState, member: MemberRecord, email: string): boolean {
  const now = state.now();
  for (const link of state.magicLinks.values()) {
    if (link.new_email_address === email && !link.used && now < link.expires_at && link.member_id !== member.member_id && link.organization_id === member.organization_id) return true;
  }
  for (const otp of state.emailOtps.values()) {
    if (otp.new_email_address === email && otp.used !== true && now < otp.expires_at && otp.member_id !== member.member_id && otp.organization_id === member.organization_id) return true;
  }
  return false;
}

/**
 * The organization and member the path names, once the caller may perform `action` on that
 * member (a member may perform it on themselves as the same self-action).
 */
function memberActedOn(state: EmulatorState, params: RouteRequest['params'], headers: RouteRequest['headers'], action: string): { org: Organization; member: MemberRecord } {
  const org = requireOrganization(state, params.organization_id ?? '');
  const member = requireMember(state, org.organization_id, params.member_id ?? '');
  requireMemberPermission(state, headers, org, 'stytch.member', action, { memberId: member.member_id, selfAction: action });
  return { org, member };
}

/** Member search filters and the type each takes (SDK `MemberSearchOperand`, reference A11.1). */
const MEMBER_FILTERS = {
  member_ids: 'strings',
  member_emails: 'strings',
  member_email_fuzzy: 'fuzzy',
  member_is_breakglass: 'boolean',
  statuses: 'strings',
  member_phone_numbers: 'strings',
  member_phone_number_fuzzy: 'fuzzy',
} as const;
type MemberFilter = keyof typeof MEMBER_FILTERS;
type MemberOperand = { filter_name: MemberFilter; strings: string[]; flag: boolean };

const STATUSES = ['pending', 'invited', 'active', 'deleted'];
/** Every fuzzy filter needs at least three characters (reference A11.1). */
const FUZZY_MIN = 3;
const FUZZY_TOO_SHORT: Record<string, string> = {
  member_email_fuzzy: 'member_search_member_email_fuzzy_too_short',
  member_phone_number_fuzzy: 'member_search_member_mfa_phone_number_fuzzy_too_short',
};

/**
 * Reads and checks a member search `query`. Error names are android-enum's (A11.1); their
 * statuses are not documented, 400 is the emulator's [INF].
 */
function readMemberQuery(body: Record<string, unknown>): { operator: 'AND' | 'OR'; operands: MemberOperand[] } | undefined {
  const query = body.query;
  if (query === undefined || query === null) return undefined;
  if (!isPlainObject(query) || (query.operands !== undefined && !Array.isArray(query.operands))) {
    throw badRequest('invalid_argument', "The field 'query' must be { operator, operands: [] }.", { field: 'query' });
  }
  if (query.operator !== undefined && query.operator !== 'AND' && query.operator !== 'OR') {
    throw badRequest('invalid_argument', "The query operator must be 'AND' or 'OR'.", { field: 'query' });
  }
  const operands = ((query.operands ?? []) as unknown[]).map((operand): MemberOperand => {
    if (!isPlainObject(operand) || typeof operand.filter_name !== 'string') throw badRequest('invalid_argument', 'Each operand needs a filter_name and filter_value.', { field: 'query' });
    const name = operand.filter_name;
    if (!Object.hasOwn(MEMBER_FILTERS, name)) throw badRequest('member_search_filter_name_not_recognized', `The filter '${name}' is not a member search filter.`, { field: 'query' });
    const filter = name as MemberFilter;
    const value = operand.filter_value;
    if (value === undefined || value === null) throw badRequest('member_search_missing_filter_value', `The filter '${filter}' needs a filter_value.`, { field: 'query' });
    switch (MEMBER_FILTERS[filter]) {
      case 'boolean':
        if (typeof value !== 'boolean') throw badRequest('member_search_expected_boolean', `The filter '${filter}' takes a boolean.`, { field: 'query' });
        return { filter_name: filter, strings: [], flag: value };
      case 'fuzzy':
        if (typeof value !== 'string') throw badRequest('member_search_expected_string', `The filter '${filter}' takes a string.`, { field: 'query' });
        if (value.length < FUZZY_MIN) throw badRequest(FUZZY_TOO_SHORT[filter] ?? 'invalid_argument', `The filter '${filter}' needs at least ${FUZZY_MIN} characters.`, { field: 'query' });
        return { filter_name: filter, strings: [value.toLowerCase()], flag: false };
      default: {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          throw badRequest('member_search_expected_array_of_strings', `The filter '${filter}' takes an array of strings.`, { field: 'query' });
        }
        const strings = value.map((v) => v.toLowerCase());
        if (filter === 'statuses' && strings.some((v) => !STATUSES.includes(v))) {
          throw badRequest('search_invalid_status_filter', `Statuses are ${STATUSES.join(', ')}.`, { field: 'query' });
        }
        return { filter_name: filter, strings, flag: false };
      }
    }
  });
  return { operator: query.operator === 'OR' ? 'OR' : 'AND', operands };
}

function memberMatches(m: MemberRecord, operand: MemberOperand): boolean {
  const wanted = operand.strings;
  switch (operand.filter_name) {
    case 'member_ids': return wanted.includes(m.member_id.toLowerCase());
    case 'member_emails': return wanted.includes(m.email_address);
    case 'member_email_fuzzy': return wanted.some((w) => m.email_address.includes(w));
    case 'member_is_breakglass': return m.is_breakglass === operand.flag;
    case 'statuses': return wanted.includes(m.status);
    case 'member_phone_numbers': return m.mfa_phone_number !== '' && wanted.includes(m.mfa_phone_number);
    case 'member_phone_number_fuzzy': return m.mfa_phone_number !== '' && wanted.some((w) => m.mfa_phone_number.includes(w));
  }
}

export function memberRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/organizations/:organization_id/members', ({ state, params, body, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    requireMemberPermission(state, headers, org, 'stytch.member', 'create');
    const email = reqEmail(body);
    const pending = optBool(body, 'create_member_as_pending') ?? false;
    const name = optString(body, 'name');
    const phone = optPhone(body, 'mfa_phone_number');
    const roles = optStringArray(body, 'roles');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const externalId = optNonEmpty(body, 'external_id');
    const mfaEnrolled = optBool(body, 'mfa_enrolled');
    const breakglass = optBool(body, 'is_breakglass');
    const member = createMemberRecord(state, org, {
      email_address: email,
      status: pending ? 'pending' : 'active',
      ...(name !== undefined ? { name } : {}),
      ...(phone ? { mfa_phone_number: phone, mfa_phone_number_verified: false } : {}),
      ...(roles ? { roles } : {}),
      ...(trusted ? { trusted_metadata: trusted } : {}),
      ...(untrusted ? { untrusted_metadata: untrusted } : {}),
      ...(externalId ? { external_id: externalId } : {}),
      ...(mfaEnrolled !== undefined ? { mfa_enrolled: mfaEnrolled } : {}),
      ...(breakglass !== undefined ? { is_breakglass: breakglass } : {}),
    });
    return memberOrgResponse(state, member, org);
  });

  // members.get has no documented permission (A6.2 lists none); with member-session headers it
  // stays unchecked, like a project-secret call [INF].
  router.add('GET', '/v1/b2b/organizations/:organization_id/member', ({ state, params, query }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const memberId = query.get('member_id');
    const email = query.get('email_address');
    if (!memberId && !email) throw badRequest('invalid_member_get_fields', 'Pass member_id or email_address.');
    const member = memberId ? findMember(state, org.organization_id, memberId) : findMemberByEmail(state, org.organization_id, email ?? '');
    if (!member) throw memberNotFound();
    return memberOrgResponse(state, member, org);
  });

  router.add('GET', '/v1/b2b/organizations/members/dangerously_get/:member_id', ({ state, params, query }) => {
    const member = state.members.get(params.member_id ?? '');
    if (!member || (member.status === 'deleted' && query.get('include_deleted') !== 'true')) throw memberNotFound();
    return memberOrgResponse(state, member, requireOrganization(state, member.organization_id));
  });

  router.add('PUT', '/v1/b2b/organizations/:organization_id/members/:member_id', ({ state, params, body, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = requireMember(state, org.organization_id, params.member_id ?? '');
    const name = optString(body, 'name');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const breakglass = optBool(body, 'is_breakglass');
    const phone = optPhone(body, 'mfa_phone_number');
    const mfaEnrolled = optBool(body, 'mfa_enrolled');
    const roles = optStringArray(body, 'roles');
    const defaultMfa = optEnum(body, 'default_mfa_method', ['sms_otp', 'totp'] as const);
    const email = body.email_address === undefined || body.email_address === null ? undefined : reqEmail(body);
    const externalId = optString(body, 'external_id');
    const unlinkEmail = optBool(body, 'unlink_email') ?? false;
    optBool(body, 'preserve_existing_sessions');

    // Member-session headers (reference A6.4, A6.6): tenancy, trusted metadata, own email, then
    // each field's action. `unlink_email` and `preserve_existing_sessions` only qualify another
    // field and need nothing of their own; `external_id` has no RBAC note: `*` on stytch.member [INF].
    const actor = requirePermissions(state, headers, org, [], member.member_id);
    refuseTrustedMetadataAsMember(actor, body);
    if (actor && email !== undefined && actor.member.member_id === member.member_id) {
      // "Members cannot update their own email address" (A6.4; use startEmailUpdate). The name is
      // documented (android-enum), the status is not: 400, like the other A11.3 errors [INF].
      throw badRequest('member_cannot_update_their_email_address', 'Members cannot update their own email address; use start_email_update.');
    }
    const needed: Needed[] = [];
    const need = (given: boolean, action: string, selfOk: boolean): void => {
      if (given) needed.push({ resource: 'stytch.member', action, selfOk });
    };
    need(name !== undefined, 'update.info.name', true);
    need(untrusted !== undefined, 'update.info.untrusted-metadata', true);
    need(phone !== undefined, 'update.info.mfa-phone', true);
    need(mfaEnrolled !== undefined, 'update.settings.mfa-enrolled', true);
    need(defaultMfa !== undefined, 'update.settings.default-mfa-method', true);
    need(breakglass !== undefined, 'update.settings.is-breakglass', false);
    need(roles !== undefined, 'update.settings.roles', false);
    need(email !== undefined, 'update.info.email', false);
    need(externalId !== undefined, '*', false);
    requirePermissions(state, headers, org, needed, member.member_id);

    const emailChanges = email !== undefined && email !== member.email_address;
    if (emailChanges) {
      if (findMemberByEmail(state, org.organization_id, email) !== undefined) {
        throw badRequest('duplicate_member_email', 'The email address is already used in this organization.');
      }
      // Another member's retired address stays reserved; the member's own may come back (A11.3).
      refuseRetiredEmail(state, org.organization_id, email, member.member_id);
    }
    if (externalId !== undefined && externalId !== '') {
      checkExternalIdFormat(externalId, 'external_id');
      if ([...state.members.values()].some((m) => m.organization_id === org.organization_id && m.member_id !== member.member_id && m.external_id === externalId)) {
        throw badRequest('duplicate_member_external_id', 'Another member of this organization uses this external id.');
      }
    }
    if (phone !== undefined && phone !== member.mfa_phone_number) {
      // "Errors if the member already has a phone number": delete it first (reference A11.2).
      // The name is not documented; the emulator uses android-enum's
      // `duplicate_member_phone_number_for_member`, 400 [INF]. Re-sending the same number is a no-op.
      if (member.mfa_phone_number !== '') {
        throw badRequest('duplicate_member_phone_number_for_member', 'The member already has an MFA phone number; delete it before setting another.');
      }
      setPhone(state, member, phone);
    }
    if (name !== undefined) member.name = name;
    if (trusted !== undefined) member.trusted_metadata = structuredClone(trusted);
    if (untrusted !== undefined) member.untrusted_metadata = structuredClone(untrusted);
    if (breakglass !== undefined) member.is_breakglass = breakglass;
    if (mfaEnrolled !== undefined) member.mfa_enrolled = mfaEnrolled;
    if (roles !== undefined) member.direct_roles = [...new Set(roles)];
    if (defaultMfa !== undefined) member.default_mfa_method = defaultMfa;
    if (externalId !== undefined) member.external_id = externalId === '' ? undefined : externalId;
    if (emailChanges) {
      // The old address is retired, or with unlink_email deleted; a retired address of the
      // member's own that comes back is primary again (reference A11.3).
      const back = member.retired_email_addresses.find((r) => r.email_address === email);
      member.retired_email_addresses = member.retired_email_addresses.filter((r) => r.email_address !== email);
      if (!unlinkEmail) member.retired_email_addresses.push({ email_id: member.email_id, email_address: member.email_address });
      member.email_address = email;
      // Changing the email clears any password (reference A11.3): it was tied to the old address.
      member.password = undefined;
      member.password_reset_required = false;
      member.email_id = back?.email_id ?? newId('email');
      member.email_address_verified = false;
    }
    member.updated_at = state.now();
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/:member_id', ({ state, params, headers }) => {
    const { member } = memberActedOn(state, params, headers, 'delete');
    member.status = 'deleted';
    member.updated_at = state.now();
    revokeMemberSessions(state, member.member_id);
    return { member_id: member.member_id };
  });

  router.add('PUT', '/v1/b2b/organizations/:organization_id/members/:member_id/reactivate', ({ state, params, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    // Reactivate does not accept an external id in place of the member id (reference A11.5).
    const candidate = state.members.get(params.member_id ?? '');
    if (!candidate || candidate.organization_id !== org.organization_id) throw memberNotFound();
    const member = candidate;
    requireMemberPermission(state, headers, org, 'stytch.member', 'create');
    // Names from android-enum (A11.5); statuses are the emulator's [INF]: 400, as the member exists.
    if (member.status !== 'deleted') throw badRequest('no_deleted_member_found_for_reactivation', 'Only a deleted member can be reactivated.');
    if (!member.email_address_verified) throw badRequest('email_unverified_for_reactivation', 'Only a member with a verified email address can be reactivated.');
    if (findMemberByEmail(state, org.organization_id, member.email_address) || retiredBy(state, org.organization_id, member.email_address, member.member_id)) {
      throw badRequest('reactivation_email_belongs_to_another_member', 'Another member of the organization now uses this email address.');
    }
    member.status = 'active';
    member.updated_at = state.now();
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/organizations/members/search', ({ state, body, headers }) => {
    // "An array with at least one organization_id is required" (reference A11.1).
    const orgIds = optStringArray(body, 'organization_ids');
    if (!orgIds || orgIds.length === 0) throw badRequest('member_search_organization_ids_empty', 'Pass at least one organization id in organization_ids.', { field: 'organization_ids' });
    const orgs = orgIds.map((id) => requireOrganization(state, id));
    for (const org of orgs) requireMemberPermission(state, headers, org, 'stytch.member', 'search');
    const query = readMemberQuery(body);
    const ids = new Set(orgs.map((o) => o.organization_id));
    const candidates = [...state.members.values()].filter((m) => ids.has(m.organization_id));
    const byStatus = query?.operands.some((o) => o.filter_name === 'statuses') === true;
    const found = candidates.filter((m) => {
      // No query, or one without a statuses filter: non-deleted members only.
      if (!byStatus && m.status === 'deleted') return false;
      if (!query || query.operands.length === 0) return true;
      const test = (o: MemberOperand): boolean => memberMatches(m, o);
      return query.operator === 'AND' ? query.operands.every(test) : query.operands.some(test);
    });
    const { page, results_metadata } = paginate(found, body);
    const organizations: Record<string, unknown> = {};
    for (const m of page) organizations[m.organization_id] ??= structuredClone(findOrganization(state, m.organization_id));
    return { members: page.map((m) => memberView(state, m)), results_metadata, organizations };
  });

  router.add('POST', '/v1/b2b/organizations/:organization_id/members/:member_id/start_email_update', ({ state, params, body, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.email');
    const email = reqEmail(body);
    const delivery = optEnum(body, 'delivery_method', ['EMAIL_MAGIC_LINK', 'EMAIL_OTP'] as const) ?? 'EMAIL_MAGIC_LINK';
    const redirect = checkSendRedirectUrl(state, optNonEmpty(body, 'login_redirect_url'), state.settings.redirectUrls.login, 'login_redirect_url');
    if (member.status !== 'active' || !member.email_address_verified) {
      throw badRequest('member_email_not_verified', 'Only active members with a verified email address can change it.');
    }
    // Retired counts as used (reference A11.4); another member's retired address is reserved (A11.3).
    refuseRetiredEmail(state, org.organization_id, email, member.member_id);
    if (email === member.email_address || emailInUse(state, org.organization_id, email) || member.retired_email_addresses.some((r) => r.email_address === email)) {
      throw badRequest('duplicate_member_email', 'The new email address is already used in this organization.');
    }
    if (pendingForOther(state, member, email)) throw badRequest('duplicate_member_email', 'The new email address is awaiting verification by another member.');
    if (delivery === 'EMAIL_OTP') {
      issueEmailOtp(state, { kind: 'email_otp', email_address: member.email_address, organization_id: org.organization_id, member_id: member.member_id, new_email_address: email, expiresInMinutes: EMAIL_UPDATE_MINUTES });
    } else {
      issueMagicLink(state, { kind: 'email_update_magic_link', email_address: member.email_address, new_email_address: email, organization_id: org.organization_id, member_id: member.member_id, expiresInMinutes: EMAIL_UPDATE_MINUTES, redirectUrl: redirect });
    }
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/mfa_phone_numbers/:member_id', ({ state, params, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.delete.mfa-phone');
    member.mfa_phone_number = '';
    member.mfa_phone_number_verified = false;
    member.phone_id = '';
    state.smsOtps.delete(member.member_id);
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/:member_id/totp', ({ state, params, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.delete.mfa-totp');
    if (!member.totp) throw notFound('totp_not_found', 'The member has no TOTP registration.');
    member.totp = undefined;
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/passwords/:member_password_id', ({ state, params, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = [...state.members.values()].find((m) => m.organization_id === org.organization_id && m.password?.id === params.member_password_id);
    if (!member) throw notFound('password_not_found', 'No such password.');
    requireMemberPermission(state, headers, org, 'stytch.member', 'update.info.delete.password', { memberId: member.member_id, selfAction: 'update.info.delete.password' });
    member.password = undefined;
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/organizations/:organization_id/members/:member_id/unlink_retired_email', ({ state, params, body, headers }) => {
    // `update.info.unlink.retired-email` on stytch.member, or stytch.self for oneself (A6.2).
    const { org, member } = memberActedOn(state, params, headers, 'update.info.unlink.retired-email');
    const emailId = optNonEmpty(body, 'email_id');
    const email = optNonEmpty(body, 'email_address')?.toLowerCase();
    // One or both identifiers; both must name the same retired email (reference A11.3).
    if (emailId === undefined && email === undefined) {
      throw badRequest('retired_email_missing_email_identifiers', 'Pass email_id or email_address (or both) of the retired email.');
    }
    const index = member.retired_email_addresses.findIndex((r) => (emailId === undefined || r.email_id === emailId) && (email === undefined || r.email_address === email));
    if (index < 0) throw notFound('email_not_found', 'No such retired email address.');
    member.retired_email_addresses.splice(index, 1);
    member.updated_at = state.now();
    return memberOrgResponse(state, member, org);
  });
}

