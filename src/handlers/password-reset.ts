/**
 * Forgot password. `POST /password/reset/start` `{ email_address, organization_id? }` emails a
 * reset link (organization-scoped, or cross-organization without an organization) and answers
 * the same whether or not the address has a member. The link comes back through the callback as
 * `stytch_token_type=multi_tenant_passwords` (or `discovery` with `stytch_redirect_type=reset_password`):
 * {@link passwordResetLanding} keeps the token in an HttpOnly cookie and sends the browser to the
 * app's reset page, whose form posts `{ password }` to `POST /password/reset`. The new password is
 * checked for strength first; the feedback comes back in a form a page can show.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, StytchApiError } from '../errors.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { callbackUrl } from './callback-url.js';
import { completePrimary } from './flow.js';
import type { FlowOutcome } from './flow.js';
import { RESET_TOKEN_SHAPE, clearReset, readPendingReset, readResetVerifier, setPendingReset, setResetVerifier } from './password-cookies.js';
import { checkStrength, requirePassword, sendWeakPassword, weakFromStytch } from './password-fields.js';
import { finishLogin, startDiscovery } from './password-login.js';
import { createPkcePair } from './pkce.js';
import type { RouteContext } from './route-context.js';

/** Stytch errors after which the reset token is useless: forget it so the page says "start again". */
const DEAD_TOKEN_ERRORS = new Set(['unable_to_auth_password_reset_token', 'pkce_mismatch', 'pkce_expected_code_verifier', 'pkce_did_not_expect_code_verifier', 'member_not_found']);

/** Answers of reset start that would tell whether the address has a member: answered as success. */
const HIDDEN_START_ERRORS = new Set(['member_not_found', 'email_not_found', 'no_user_password', 'member_password_not_found']);

/** Handler of `POST /password/reset/start`. */
export async function passwordResetStart(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const redirectUrl = callbackUrl(req, cfg);
  const pkce = createPkcePair();
  let sent = true;
  try {
    if (organizationId !== undefined) {
      await client.passwords.email.resetStart({ organization_id: organizationId, email_address: email, reset_password_redirect_url: redirectUrl, login_redirect_url: redirectUrl, code_challenge: pkce.challenge });
    } else {
      await client.passwords.discovery.email.resetStart({ email_address: email, reset_password_redirect_url: redirectUrl, discovery_redirect_url: redirectUrl, pkce_code_challenge: pkce.challenge });
    }
  } catch (err) {
    if (!(err instanceof StytchApiError && HIDDEN_START_ERRORS.has(err.errorType))) throw err;
    sent = false;
  }
  // Set in both cases, so the answer (headers included) does not tell the two apart.
  setResetVerifier(req, res, rc, pkce.verifier);
  logEvent(rc.logger, 'info', 'stytch.routes.password_reset_started', { discovery: organizationId === undefined, organizationId, sent });
  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.loginUrl, 'status', 'reset_email_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'reset_email_sent' });
}

/**
 * The query of a callback request that is a password-reset link, when the reset route is
 * enabled; `undefined` for every other callback (the callback then goes on as before).
 */
export function resetLinkParams(req: IncomingMessage, rc: RouteContext): URLSearchParams | undefined {
  if (rc.cfg.paths.passwordReset === undefined) return undefined;
  const params = new URL(req.url ?? '/', 'http://callback.invalid').searchParams;
  return isPasswordResetLink(params) ? params : undefined;
}

function isPasswordResetLink(params: URLSearchParams): boolean {
  const type = params.getAll('stytch_token_type');
  if (type.length !== 1) return false;
  return type[0] === 'multi_tenant_passwords' || (type[0] === 'discovery' && params.get('stytch_redirect_type') === 'reset_password');
}

/**
 * The callback's branch for reset links: no upstream call (the token is spent only with the new
 * password), the token moved into an HttpOnly cookie, then 303 to the app's reset page.
 */
export function passwordResetLanding(req: IncomingMessage, res: ServerResponse, rc: RouteContext, params: URLSearchParams): void {
  const tokens = params.getAll('token');
  const token = tokens.length === 1 ? tokens[0] : undefined;
  if (token === undefined || !RESET_TOKEN_SHAPE.test(token)) throw new BadRequestError('invalid_token', 'This password reset link is malformed.');
  const kind = params.get('stytch_token_type') === 'discovery' ? 'discovery' : 'org';
  setPendingReset(req, res, rc, { kind, token });
  logEvent(rc.logger, 'info', 'stytch.routes.callback', { outcome: 'password_reset', type: kind === 'org' ? 'multi_tenant_passwords' : 'discovery' });
  redirect(res, rc.cfg.resetPasswordUrl, true);
}

/** Handler of `POST /password/reset` `{ password, return_to? }`: finish the reset this browser holds. */
export async function passwordReset(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  res.setHeader('Referrer-Policy', 'no-referrer');
  const fields = await readBody(req, cfg.maxBodyBytes);
  const pending = readPendingReset(req, rc);
  if (pending === undefined) throw new BadRequestError('password_reset_not_pending', 'Open the password reset link from your email again.');
  const password = requirePassword(fields, 'password');
  const strength = await checkStrength(rc, password);
  if (!strength.validPassword) {
    sendWeakPassword(req, res, cfg.resetPasswordUrl, strength);
    return;
  }
  const verifier = readResetVerifier(req, rc);
  let outcome: FlowOutcome;
  try {
    if (pending.kind === 'org') {
      const result = await client.passwords.email.reset({ password_reset_token: pending.token, password, ...(verifier === undefined ? {} : { code_verifier: verifier }), ...cfg.sessionFields });
      clearReset(req, res, rc);
      outcome = await completePrimary(req, res, rc, result, 'password_reset');
    } else {
      const result = await client.passwords.discovery.email.reset({ password_reset_token: pending.token, password, ...(verifier === undefined ? {} : { pkce_code_verifier: verifier }) });
      clearReset(req, res, rc);
      outcome = startDiscovery(req, res, rc, result);
    }
  } catch (err) {
    const weak = weakFromStytch(err);
    if (weak !== undefined) {
      sendWeakPassword(req, res, cfg.resetPasswordUrl, weak);
      return;
    }
    if (err instanceof StytchApiError && DEAD_TOKEN_ERRORS.has(err.errorType)) clearReset(req, res, rc);
    throw err;
  }
  finishLogin(req, res, rc, outcome, fields, 'stytch.routes.password_reset', pending.kind === 'org' ? 'organization' : 'discovery');
}
