/** Intermediate session tokens (reference 5.12): a 10-minute bag of factors. */
import type { AuthenticationFactor } from '../client/types.js';
import { istNotFound } from './http-errors.js';
import { newToken, rfc3339 } from './ids.js';
import type { EmulatorState, IstRecord } from './state.js';

export const IST_TTL_MS = 10 * 60_000;

export function createIst(state: EmulatorState, input: Omit<IstRecord, 'token' | 'expires_at'>): IstRecord {
  const record: IstRecord = { ...input, token: newToken(), expires_at: state.now() + IST_TTL_MS };
  state.intermediateSessions.set(record.token, record);
  return record;
}

/** The live IST for a token, or a 404 `intermediate_session_not_found`. */
export function requireIst(state: EmulatorState, token: string): IstRecord {
  const record = state.intermediateSessions.get(token);
  if (!record) throw istNotFound();
  if (state.now() >= record.expires_at) {
    state.intermediateSessions.delete(token);
    throw istNotFound();
  }
  return record;
}

export function consumeIst(state: EmulatorState, record: IstRecord): void {
  state.intermediateSessions.delete(record.token);
}

export function addIstFactor(record: IstRecord, factor: AuthenticationFactor): void {
  record.factors = [...record.factors.filter((f) => !(f.type === factor.type && f.delivery_method === factor.delivery_method)), factor];
}

export function istExpiry(record: IstRecord): string {
  return rfc3339(record.expires_at);
}
