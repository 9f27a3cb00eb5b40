/** Revocation by session id, token or member (shared by the admin API). */
import { memberNotFound, sessionNotFound } from './http-errors.js';
import { revokeMemberSessions, revokeSession, sessionById, sessionByToken } from './sessions.js';
import type { EmulatorState } from './state.js';

export function revokeBy(state: EmulatorState, input: { member_session_id?: string; session_token?: string; member_id?: string }): void {
  if (input.member_id !== undefined) {
    if (!state.members.has(input.member_id)) throw memberNotFound();
    revokeMemberSessions(state, input.member_id);
    return;
  }
  const found = input.member_session_id !== undefined ? sessionById(state, input.member_session_id) : input.session_token !== undefined ? sessionByToken(state, input.session_token) : undefined;
  if (!found) throw sessionNotFound();
  revokeSession(state, found.session);
}
