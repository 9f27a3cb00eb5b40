/**
 * What the password and email-code routes share: reading a password field (never trimmed,
 * never echoed), the strength check with feedback a page can show, turning Stytch's
 * credential errors into ours, and the attempt-limit bookkeeping around a verification.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PasswordsStrengthCheckResponse } from '../client/api-types.js';
import { AuthenticationError, BadRequestError, StytchApiError } from '../errors.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import type { FormFields } from './body.js';
import type { AttemptSubject } from './attempt-limiter.js';
import type { RouteContext } from './route-context.js';

/** Longest password accepted (characters). Longer ones are refused before any upstream call. */
export const MAX_PASSWORD_LENGTH = 256;

/** A required password field, as typed (no trimming). The message names the rule, never the value. */
export function requirePassword(fields: FormFields, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw new BadRequestError('invalid_password', `Field ${name} is required.`);
  if (value.length > MAX_PASSWORD_LENGTH) throw new BadRequestError('invalid_password', `Field ${name} is longer than ${MAX_PASSWORD_LENGTH} characters.`);
  return value;
}

/**
 * Stytch answers a wrong password, an unknown email and a member without a password with
 * `unauthorized_credentials`, the same type it uses for a bad project secret. On the password
 * calls it is the member's mistake: 401 `invalid_credentials`, one answer for all three.
 */
export function credentialError(err: unknown): unknown {
  if (err instanceof StytchApiError && err.errorType === 'unauthorized_credentials') {
    return new AuthenticationError('invalid_credentials', 'The email address or password is incorrect.', { cause: err });
  }
  return err;
}

/** What a page shows about a password: Stytch's verdict and feedback, without the password. */
export interface StrengthFeedback {
  validPassword: boolean;
  score: number;
  breachedPassword: boolean;
  policy: string;
  warning: string;
  suggestions: string[];
  luds?: PasswordsStrengthCheckResponse['luds_feedback'];
}

export function toFeedback(result: PasswordsStrengthCheckResponse): StrengthFeedback {
  const z = result.zxcvbn_feedback;
  return {
    validPassword: result.valid_password === true,
    score: typeof result.score === 'number' ? result.score : 0,
    breachedPassword: result.breached_password === true,
    policy: String(result.strength_policy ?? ''),
    warning: typeof z?.warning === 'string' ? z.warning : '',
    suggestions: Array.isArray(z?.suggestions) ? z.suggestions.filter((s): s is string => typeof s === 'string') : [],
    ...(result.luds_feedback === undefined ? {} : { luds: result.luds_feedback }),
  };
}

/** Ask Stytch's strength check (the project's own policy). */
export async function checkStrength(rc: RouteContext, password: string, email?: string): Promise<StrengthFeedback> {
  const result = await rc.client.passwords.strengthCheck({ password, ...(email === undefined ? {} : { email_address: email }) });
  return toFeedback(result);
}

/**
 * Refuse a weak new password: JSON clients get 400 `weak_password` with the feedback; form posts
 * go back to `page` with `?error=weak_password` (the page can ask `POST /password/strength`).
 */
export function sendWeakPassword(req: IncomingMessage, res: ServerResponse, page: string, feedback: StrengthFeedback): void {
  const code = feedback.breachedPassword ? 'breached_password' : 'weak_password';
  if (wantsRedirect(req)) {
    redirect(res, withQuery(page, 'error', code), true);
    return;
  }
  sendJson(res, 400, { error: { code, message: 'Choose a stronger password.' }, strength: feedback });
}

/** Stytch refused the new password itself (it checks again): the same answer as our own check. */
export function weakFromStytch(err: unknown): StrengthFeedback | undefined {
  if (!(err instanceof StytchApiError) || (err.errorType !== 'weak_password' && err.errorType !== 'breached_password')) return undefined;
  const details = err.errorDetails;
  if (typeof details === 'object' && details !== null && 'valid_password' in details) return toFeedback(details as PasswordsStrengthCheckResponse);
  return { validPassword: false, score: 0, breachedPassword: err.errorType === 'breached_password', policy: '', warning: '', suggestions: [] };
}

/** Errors that mean the guess was wrong (counted by the attempt limits); outages are not counted. */
const GUESS_ERRORS = new Set(['invalid_credentials', 'unauthorized_credentials', 'otp_code_not_found', 'unable_to_auth_otp_code', 'invalid_code']);

/**
 * Run a verification under the attempt limits: refused with 429 when a limit is used up, a wrong
 * guess counted, a success clearing the member's counter.
 */
export async function limited<T>(req: IncomingMessage, rc: RouteContext, subject: AttemptSubject, run: () => Promise<T>): Promise<T> {
  const limiter = rc.cfg.attemptLimiter;
  await limiter.check(req, subject, rc.now());
  try {
    const value = await run();
    await limiter.succeed(subject);
    return value;
  } catch (err) {
    const code = err instanceof StytchApiError ? err.errorType : err instanceof AuthenticationError || err instanceof BadRequestError ? err.code : undefined;
    if (code !== undefined && GUESS_ERRORS.has(code)) await limiter.fail(req, subject, rc.now());
    throw err;
  }
}

/**
 * The member key of the limits: scope (organization or discovery) and the lower-cased email,
 * shared by password and code guesses.
 */
export function memberKey(organizationId: string | undefined, email: string): string {
  return `${organizationId ?? 'discovery'}|${email.toLowerCase()}`;
}
