/**
 * Sign-in with an emailed one-time code, the alternative to a link (corporate link scanners
 * cannot spend a code). `POST /login/code/send` `{ email_address, organization_id? }` emails a
 * code (organization login or signup, or discovery); `POST /login/code/verify`
 * `{ email_address, code, organization_id?, return_to? }` checks it, then a session, the MFA step
 * or the organization picker, as for magic links. Wrong codes count against the attempt limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchApiError } from '../errors.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { completePrimary } from './flow.js';
import type { FlowOutcome } from './flow.js';
import { limited, memberKey } from './password-fields.js';
import { finishLogin, startDiscovery } from './password-login.js';
import type { RouteContext } from './route-context.js';

const HIDDEN_SEND_ERRORS = new Set(['email_jit_provisioning_not_allowed', 'invalid_email_for_jit_provisioning']);

/** Handler of `POST /login/code/send`. */
export async function emailCodeSend(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  let sent = true;
  try {
    if (organizationId !== undefined) await client.otps.email.loginOrSignup({ organization_id: organizationId, email_address: email });
    else await client.otps.email.discovery.send({ email_address: email });
  } catch (err) {
    // "This address may not sign up here" would tell who is a member: answered as sent.
    if (!(err instanceof StytchApiError && HIDDEN_SEND_ERRORS.has(err.errorType))) throw err;
    sent = false;
  }
  logEvent(rc.logger, 'info', 'stytch.routes.email_code_sent', { discovery: organizationId === undefined, organizationId, sent });
  // The same answer whether the member existed or not.
  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.loginUrl, 'status', 'code_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'code_sent' });
}

/** Handler of `POST /login/code/verify`. */
export async function emailCodeVerify(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const subject = { member: memberKey(organizationId, email) };
  // A malformed code is checked inside the limit too: it is a guess, and costs no upstream call.
  const readCode = (): string => requireField(fields, 'code', FIELD_RULES.sixDigits, 'invalid_code');
  let outcome: FlowOutcome;
  if (organizationId !== undefined) {
    const result = await limited(req, rc, subject, () => client.otps.email.authenticate({ organization_id: organizationId, email_address: email, code: readCode(), ...cfg.sessionFields }));
    outcome = await completePrimary(req, res, rc, result, 'email_otp');
  } else {
    const result = await limited(req, rc, subject, () => client.otps.email.discovery.authenticate({ email_address: email, code: readCode() }));
    outcome = startDiscovery(req, res, rc, result);
  }
  finishLogin(req, res, rc, outcome, fields, 'stytch.routes.email_code_login', organizationId === undefined ? 'discovery' : 'organization');
}
