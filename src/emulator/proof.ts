/**
 * The "existing MFA factor requires proof" rule of SMS send and TOTP create (reference 5.7,
 * 5.8): a member who already has an active MFA factor can add another only with an IST or
 * session of theirs that proved an MFA factor; otherwise any IST/session passed must be theirs.
 */
import { isMfaFactor } from './factors.js';
import { badRequest, unauthorized } from './http-errors.js';
import { requireIst } from './ist.js';
import { hasActiveMfaFactor } from './members.js';
import { optionalSessionFromBody } from './sessions.js';
import type { EmulatorState, MemberRecord } from './state.js';
import { optNonEmpty, type Body } from './validate.js';

export function checkMfaProof(state: EmulatorState, member: MemberRecord, body: Body, addingNewFactor: boolean): void {
  const istToken = optNonEmpty(body, 'intermediate_session_token');
  const ist = istToken === undefined ? undefined : requireIst(state, istToken);
  const session = ist ? undefined : optionalSessionFromBody(state, body);
  if (ist) {
    const mine = ist.member_id !== undefined ? ist.member_id === member.member_id : ist.email_address === member.email_address;
    if (!mine || (ist.organization_id !== undefined && ist.organization_id !== member.organization_id)) {
      throw badRequest('invalid_intermediate_session_token_for_organization', 'The intermediate session does not belong to this member and organization.');
    }
  }
  if (session && session.member.member_id !== member.member_id) throw badRequest('session_member_mismatch', 'The session belongs to another member.');
  if (addingNewFactor && hasActiveMfaFactor(member)) {
    const factors = ist?.factors ?? session?.session.factors ?? [];
    if (!factors.some(isMfaFactor)) {
      throw unauthorized('insufficient_factors', 'The member already has an MFA factor; prove it (IST or session with an MFA factor) before adding another.');
    }
  }
}
