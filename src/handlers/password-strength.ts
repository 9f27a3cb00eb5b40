/**
 * `POST /password/strength` `{ password, email_address? }`: Stytch's verdict on a candidate
 * password under the project's policy, for live feedback on sign-up, reset and change pages.
 * Answers `{ strength: { validPassword, score, breachedPassword, policy, warning, suggestions, luds? } }`;
 * the password is never echoed. Limited per client address (`attemptLimits.strengthChecks`), apart from failed sign-ins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../middleware/respond.js';
import { FIELD_RULES, optionalField, readBody } from './body.js';
import { checkStrength, requirePassword } from './password-fields.js';
import type { RouteContext } from './route-context.js';

/** Handler of the strength route. */
export async function passwordStrength(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  const password = requirePassword(fields, 'password');
  const email = optionalField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  // Every check counts for the address (it spends a Stytch call), apart from failed sign-ins.
  await rc.cfg.attemptLimiter.spendStrengthCheck(req, rc.now());
  sendJson(res, 200, { strength: await checkStrength(rc, password, email) });
}
