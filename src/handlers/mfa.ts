/**
 * The second factor: SMS codes, TOTP (with enrolment) and recovery codes. Each route works
 * from a pending login (the IST cookie plus the hints written when MFA was required) or from
 * the signed-in session (enrolling later, step-up). Code formats are checked here first so a
 * malformed code never costs an upstream call; success always rotates to the new session's
 * cookies and clears the IST.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StytchB2BClient } from '../client/client.js';
import { AuthenticationError } from '../errors.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import type { FormFields } from './body.js';
import { establishSession, sendOutcome, sessionCredential } from './flow.js';
import type { NewSession } from './flow.js';
import { enforceClientLimit, enforceLimit } from './limits.js';
import type { AuthenticatedVia } from './options.js';
import type { RouteContext } from './route-context.js';
import { maskPhone } from './transient.js';
import { requireRecentFactor } from './recent-factor.js';
import type { PendingMfa } from './transient.js';

/** Who the MFA step is for, and the proof Stytch needs with it. */
interface MfaSubject {
  source: 'intermediate_session' | 'session';
  memberId: string;
  organizationId: string;
  proof: { intermediate_session_token: string } | { session_token: string } | { session_jwt: string };
  pending?: PendingMfa;
}

function resolveSubject(req: IncomingMessage, rc: RouteContext): MfaSubject {
  const ist = rc.flow.readIst(req);
  const pending = rc.flow.readPendingMfa(req);
  // A pending login wins over an existing session: the IST is the login being completed.
  if (ist !== undefined && pending !== undefined) {
    return { source: 'intermediate_session', memberId: pending.memberId, organizationId: pending.organizationId, proof: { intermediate_session_token: ist }, pending };
  }
  const { auth } = rc;
  if (auth.status === 'undecided') throw auth.error;
  if (auth.isAuthenticated) {
    return { source: 'session', memberId: auth.memberId, organizationId: auth.organizationId, proof: sessionCredential(req, rc) };
  }
  throw new AuthenticationError('mfa_not_pending', 'No sign-in is waiting for a second factor. Start again.');
}

/**
 * Enrolling a factor from a signed-in session needs a recent factor; a pending login has just
 * proven its primary factor. Answers the step-up itself and returns false when refused.
 */
function enrolmentAllowed(req: IncomingMessage, res: ServerResponse, rc: RouteContext, subject: MfaSubject, returnTo: unknown): boolean {
  if (subject.source === 'intermediate_session' || !rc.auth.isAuthenticated) return true;
  return requireRecentFactor(req, res, rc, rc.auth, returnTo);
}

/** `GET /mfa`: what the pending login (or the session) can use as a second factor. */
export async function mfaStatus(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const subject = resolveSubject(req, rc);
  let phoneHint: string;
  let totpRegistered: boolean;
  let smsCodeSent = false;
  if (subject.pending !== undefined) {
    ({ phoneHint, totpRegistered, smsSent: smsCodeSent } = subject.pending);
  } else {
    const { member } = await rc.client.organizations.members.get({ organization_id: subject.organizationId, member_id: subject.memberId });
    phoneHint = maskPhone(member.mfa_phone_number);
    totpRegistered = member.totp_registration_id !== '';
  }
  const nextStep = totpRegistered ? 'totp' : phoneHint !== '' ? 'sms' : 'enroll';
  sendJson(res, 200, {
    source: subject.source,
    memberId: subject.memberId,
    organizationId: subject.organizationId,
    nextStep,
    sms: { available: phoneHint !== '', phoneHint, codeSent: smsCodeSent },
    totp: { registered: totpRegistered },
  });
}

/** `POST /mfa/sms/send` `{ mfa_phone_number? }`: send (or resend) the SMS code. */
export async function mfaSmsSend(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg } = rc;
  const subject = resolveSubject(req, rc);
  const fields = await readBody(req, cfg.maxBodyBytes);
  const phone = optionalField(fields, 'mfa_phone_number', FIELD_RULES.phone, 'invalid_phone_number');
  // A new phone from a signed-in session is an enrolment: it needs a recent factor.
  if (phone !== undefined && !enrolmentAllowed(req, res, rc, subject, fields.return_to)) return;
  await enforceClientLimit(rc.limiters, req);
  await enforceLimit(rc.limiters.sms, subject.memberId);
  const result = await rc.client.otps.sms.send({
    organization_id: subject.organizationId,
    member_id: subject.memberId,
    ...(phone === undefined ? {} : { mfa_phone_number: phone }),
    ...subject.proof,
  });
  const phoneHint = maskPhone(result.member?.mfa_phone_number || phone);
  if (subject.pending !== undefined) rc.flow.setPendingMfa(req, res, { ...subject.pending, phoneHint, smsSent: true });
  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.mfaUrl, 'status', 'sms_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'sms_sent', phoneHint });
}

/** What every factor-finishing call sends besides the factor itself. */
type FactorRequest = { organization_id: string; member_id: string; session_duration_minutes?: number } & MfaSubject['proof'];

/**
 * The shared end of the routes that finish with a second factor: `readFactor` checks the
 * submitted code's format (so a malformed one never costs an upstream call), `authenticate`
 * lets Stytch check it, and success rotates to the new session.
 */
async function finishWithFactor<F extends object>(
  req: IncomingMessage,
  res: ServerResponse,
  rc: RouteContext,
  via: AuthenticatedVia,
  readFactor: (fields: FormFields) => F,
  authenticate: (client: StytchB2BClient, request: FactorRequest & F) => Promise<NewSession>,
): Promise<void> {
  const subject = resolveSubject(req, rc);
  const factor = readFactor(await readBody(req, rc.cfg.maxBodyBytes));
  // Counted before Stytch checks the code, so parallel guesses cannot pass the limit; a malformed code is not counted.
  await enforceLimit(rc.limiters.code, subject.memberId);
  const result = await authenticate(rc.client, {
    organization_id: subject.organizationId,
    member_id: subject.memberId,
    ...factor,
    ...subject.proof,
    ...rc.cfg.sessionFields,
  });
  await rc.limiters.code?.reset(subject.memberId);
  sendOutcome(req, res, await establishSession(req, res, rc, result, via));
}

function readSixDigitCode(fields: FormFields): { code: string } {
  return { code: requireField(fields, 'code', FIELD_RULES.sixDigits, 'invalid_code') };
}

/** `POST /mfa/sms/authenticate` `{ code }`: finish with the SMS code. */
export async function mfaSmsAuthenticate(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  await finishWithFactor(req, res, rc, 'mfa_sms', readSixDigitCode, (client, request) => client.otps.sms.authenticate(request));
}

/**
 * `POST /mfa/totp/create`: start a TOTP registration; answers the secret, a QR code data URL
 * and the recovery codes (JSON, no-store). Stytch refuses it without proof of an existing MFA
 * factor when the member already has one.
 */
export async function mfaTotpCreate(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const subject = resolveSubject(req, rc);
  const fields = await readBody(req, rc.cfg.maxBodyBytes);
  if (!enrolmentAllowed(req, res, rc, subject, fields.return_to)) return;
  const result = await rc.client.totps.create({
    organization_id: subject.organizationId,
    member_id: subject.memberId,
    ...subject.proof,
  });
  logEvent(rc.logger, 'info', 'stytch.routes.totp_created', { memberId: subject.memberId, organizationId: subject.organizationId });
  sendJson(res, 201, {
    status: 'totp_created',
    totpRegistrationId: result.totp_registration_id,
    secret: result.secret,
    qrCode: result.qr_code,
    recoveryCodes: result.recovery_codes,
  });
}

/** `POST /mfa/totp/authenticate` `{ code }`: finish with an authenticator-app code. */
export async function mfaTotpAuthenticate(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  await finishWithFactor(req, res, rc, 'mfa_totp', readSixDigitCode, (client, request) => client.totps.authenticate(request));
}

/** `POST /mfa/recovery` `{ recovery_code }`: finish with a recovery code (consumed). */
export async function mfaRecover(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  await finishWithFactor(
    req,
    res,
    rc,
    'mfa_recovery_code',
    (fields) => {
      if (fields.recovery_code !== undefined) fields.recovery_code = fields.recovery_code.trim().toLowerCase();
      return { recovery_code: requireField(fields, 'recovery_code', FIELD_RULES.recoveryCode, 'invalid_recovery_code') };
    },
    (client, request) => client.recoveryCodes.recover(request),
  );
}
