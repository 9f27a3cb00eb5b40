/**
 * What each admin route handler is handed, built by the dispatcher for one request: the signed-in
 * member, the credential to act as them, the parsed input, and the instance's shared parts. A
 * leaf module (types only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StytchB2BClient } from '../../client/client.js';
import type { StytchInstance } from '../../middleware/types.js';
import type { SignedInAuth } from '../../session/auth-types.js';
import type { Logger } from '../../session/logger.js';
import type { ResolvedAdminConfig } from './options.js';

/** Everything an admin handler needs for one request. */
export interface AdminContext {
  readonly cfg: ResolvedAdminConfig;
  readonly auth: SignedInAuth;
  /** The member's own session, sent as the member-session header of every Stytch call. Never log it. */
  readonly authorization: { session_token: string } | { session_jwt: string };
  readonly client: StytchB2BClient;
  readonly instance: StytchInstance;
  readonly logger: Logger | undefined;
  /** The `:member_id` path segment, decoded; undefined for routes without one. */
  readonly memberId: string | undefined;
  /** Query parameters (GET). */
  readonly query: URLSearchParams;
  /** The body (non-GET; `{}` for GET), without the form's `return_to` and `_method` fields. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** True for a URL-encoded form post (list fields come comma-separated). */
  readonly isForm: boolean;
  now(): number;
}

/** A handler's answer: the dispatcher sends it as JSON, or as a 303 for a form post with `return_to`. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One admin route handler. It may write cookies on `res`, never the answer itself. */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse, ac: AdminContext) => Promise<AdminAnswer>;
