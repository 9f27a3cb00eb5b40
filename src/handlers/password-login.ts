/**
 * `POST /login/password` `{ email_address, password, organization_id?, return_to? }`: sign in with
 * a password. With an organization: `passwords.authenticate`, then a session, or the MFA step as
 * for magic links. Without: the cross-organization discovery sign-in, then the organization
 * picker. Wrong password and unknown email get one answer (401 `invalid_credentials`); failures
 * count against the attempt limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveryAuthenticateResponse } from '../client/api-types.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import type { FormFields } from './body.js';
import { completePrimary, sendOutcome } from './flow.js';
import type { FlowOutcome } from './flow.js';
import { credentialError, limited, memberKey, requirePassword } from './password-fields.js';
import type { RouteContext } from './route-context.js';

/** Handler of the password sign-in route. */
export async function passwordLogin(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const password = requirePassword(fields, 'password');
  const subject = { member: memberKey(organizationId, email) };

  let outcome: FlowOutcome;
  if (organizationId !== undefined) {
    // Never pass the browser's current session: the factor would be added to it and MFA skipped.
    const result = await limited(req, rc, subject, () =>
      rc.client.passwords.authenticate({ organization_id: organizationId, email_address: email, password, ...rc.cfg.sessionFields }).catch((err: unknown) => {
        throw credentialError(err);
      }),
    );
    outcome = await completePrimary(req, res, rc, result, 'password');
  } else {
    const result = await limited(req, rc, subject, () =>
      rc.client.passwords.discovery.authenticate({ email_address: email, password }).catch((err: unknown) => {
        throw credentialError(err);
      }),
    );
    outcome = startDiscovery(req, res, rc, result);
  }
  finishLogin(req, res, rc, outcome, fields, 'stytch.routes.password_login', organizationId === undefined ? 'discovery' : 'organization');
}

/** A discovery sign-in: the IST in its cookie, then the organization picker (as the callback does). */
export function startDiscovery(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: DiscoveryAuthenticateResponse): FlowOutcome {
  rc.flow.clearIntermediateState(req, res);
  rc.flow.setIst(req, res, result.intermediate_session_token);
  return { status: 'discovery', redirectTo: rc.cfg.discoveryUrl };
}

/**
 * End a one-request sign-in the way the magic-link callback does: a session goes to `return_to`
 * (validated) or the page bound earlier; an MFA or discovery step binds `return_to` for later.
 */
export function finishLogin(req: IncomingMessage, res: ServerResponse, rc: RouteContext, outcome: FlowOutcome, fields: FormFields, event: string, scope: string): void {
  let final = outcome;
  if (outcome.status === 'authenticated') final = { ...outcome, redirectTo: safeReturnTo(fields.return_to, outcome.redirectTo) };
  else rc.flow.setReturnTo(req, res, fields.return_to);
  logEvent(rc.logger, 'info', event, { outcome: final.status, scope });
  sendOutcome(req, res, final);
}
