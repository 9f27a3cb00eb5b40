/** Authentication factor objects (reference 2.10), built from a member record. */
import type { AuthenticationFactor } from '../client/types.js';
import { newId, rfc3339 } from './ids.js';
import type { EmulatorState, MemberRecord } from './state.js';

const DELIVERY: Record<string, string> = {
  magic_link: 'email',
  email_otp: 'email',
  otp: 'sms',
  password: 'knowledge',
  totp: 'authenticator_app',
  recovery_codes: 'recovery_code',
  sso: 'sso_saml',
  oauth: 'oauth_google',
  impersonated: 'impersonation',
  imported: 'imported_auth0',
  trusted_auth_token: 'trusted_token_exchange',
};

/** Factor types that are MFA (secondary) factors. */
export const MFA_FACTOR_TYPES = new Set(['otp', 'totp', 'recovery_codes']);

export function isMfaFactor(factor: AuthenticationFactor): boolean {
  return MFA_FACTOR_TYPES.has(factor.type);
}

export function buildFactor(state: EmulatorState, type: string, member: MemberRecord | { email_address: string; email_id?: string }, deliveryMethod?: string): AuthenticationFactor {
  const now = rfc3339(state.now());
  const factor: AuthenticationFactor = {
    type,
    delivery_method: deliveryMethod ?? DELIVERY[type] ?? type,
    last_authenticated_at: now,
    created_at: now,
    updated_at: now,
  };
  const emailId = 'email_id' in member && member.email_id ? member.email_id : newId('email');
  const full = 'member_id' in member ? member : undefined;
  switch (type) {
    case 'magic_link':
    case 'email_otp':
      factor.email_factor = { email_id: emailId, email_address: member.email_address };
      break;
    case 'otp':
      factor.phone_number_factor = { phone_id: full?.phone_id || newId('phone-number'), phone_number: full?.mfa_phone_number ?? '' };
      break;
    case 'totp':
      factor.authenticator_app_factor = { totp_id: full?.totp?.totp_registration_id ?? newId('totp') };
      break;
    case 'recovery_codes':
      factor.recovery_code_factor = { totp_recovery_code_id: newId('totp-recovery-code') };
      break;
    case 'sso':
      factor.saml_sso_factor = { id: newId('saml-registration'), provider_id: newId('saml-connection'), external_id: member.email_address };
      break;
    case 'oauth': {
      const provider = (deliveryMethod ?? 'oauth_google').replace(/^oauth_(exchange_)?/, '');
      factor[`${provider}_oauth_factor`] = { id: newId('oauth-user'), provider_subject: member.email_address, email_id: emailId };
      break;
    }
    default:
      break;
  }
  return factor;
}
