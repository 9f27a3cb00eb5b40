/**
 * `stytchAdminRoutes()`: member management, organization settings and self-service as one
 * dependency-free dispatcher (Express 4, Express 5, Connect), in the style of `stytchRoutes()`.
 * This file wires paths, CSRF, the signed-in check, bodies and answers; each group of routes
 * lives in its own module.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError, ConfigError, MiddlewareNotMountedError } from '../../errors.js';
import { findRequestState } from '../../middleware/request-state.js';
import { answerError, isFormPost, redirect, sendJson } from '../../middleware/respond.js';
import { instanceOf } from '../../middleware/stytch-auth.js';
import type { StytchInstance } from '../../middleware/types.js';
import { logEvent } from '../../session/logger.js';
import { isSafeReturnTo } from '../../session/return-to.js';
import { readBodyObject } from '../body.js';
import { checkCsrf, csrfError } from '../csrf.js';
import type { CsrfPolicy } from '../csrf.js';
import { sessionCredential } from '../flow.js';
import type { AdminContext, AdminHandler } from './context.js';
import {
  deactivateMember, deleteMember, deleteMemberPassword, deleteMemberPhone, deleteMemberTotp, getMember, inviteMember,
  listMembers, reactivateMember, resendInvite, setMemberRoles,
} from './members.js';
import { ADMIN_ROUTES, resolveAdminOptions, splitPath } from './options.js';
import type { AdminMethod, AdminRouteName, ResolvedAdminConfig, Segment, StytchAdminRoutesOptions } from './options.js';
import { getOrganization, updateOrganization } from './organization.js';
import { deleteMyPhone, deleteMyTotp, getMe, listMySessions, revokeAllMySessions, rotateMyRecoveryCodes, showMyRecoveryCodes, updateMe } from './self.js';

const HANDLERS: Readonly<Record<AdminRouteName, AdminHandler>> = {
  membersList: listMembers,
  memberGet: getMember,
  memberInvite: inviteMember,
  memberResendInvite: resendInvite,
  memberRoles: setMemberRoles,
  memberDeactivate: deactivateMember,
  memberReactivate: reactivateMember,
  memberDelete: deleteMember,
  memberDeletePhone: deleteMemberPhone,
  memberDeleteTotp: deleteMemberTotp,
  memberDeletePassword: deleteMemberPassword,
  organizationGet: getOrganization,
  organizationUpdate: updateOrganization,
  me: getMe,
  meUpdate: updateMe,
  meDeletePhone: deleteMyPhone,
  meDeleteTotp: deleteMyTotp,
  meRecoveryCodes: showMyRecoveryCodes,
  meRecoveryCodesRotate: rotateMyRecoveryCodes,
  meSessions: listMySessions,
  meRevokeAllSessions: revokeAllMySessions,
};

/** Methods a plain HTML form can ask for with a `_method` field (it can only POST). */
const OVERRIDABLE: ReadonlySet<string> = new Set(['PUT', 'PATCH', 'DELETE']);
/** Form fields that steer the answer, never passed to a handler as input. */
const META_FIELDS = ['return_to', '_method'] as const;

interface CompiledRoute {
  readonly name: AdminRouteName;
  readonly method: AdminMethod;
  readonly segments: readonly Segment[];
  /** Literal segments first: `/members/invite` wins over `/members/:member_id`. */
  readonly rank: string;
}

type Next = (err?: unknown) => void;

/** The middleware returned by {@link stytchAdminRoutes}. */
export type StytchAdminRoutesMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

function compile(cfg: ResolvedAdminConfig): CompiledRoute[] {
  const routes: CompiledRoute[] = [];
  for (const name of Object.keys(ADMIN_ROUTES) as AdminRouteName[]) {
    const segments = cfg.paths[name];
    if (segments === undefined) continue;
    routes.push({ name, method: ADMIN_ROUTES[name].method, segments, rank: segments.map((s) => ('param' in s ? '1' : '0')).join('') });
  }
  return routes.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
}

/** The routes whose path matches, most specific first, with the `:member_id` each captured. */
function matching(routes: readonly CompiledRoute[], url: string | undefined): { route: CompiledRoute; memberId: string | undefined }[] {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const parts = splitPath(q === -1 ? raw : raw.slice(0, q));
  const found: { route: CompiledRoute; memberId: string | undefined }[] = [];
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    let memberId: string | undefined;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const segment = route.segments[i]!;
      const part = parts[i]!;
      if ('literal' in segment) ok = segment.literal === part;
      else {
        try {
          memberId = decodeURIComponent(part);
        } catch {
          ok = false;
        }
        ok &&= memberId !== '';
      }
    }
    if (ok) found.push({ route, memberId });
  }
  return found;
}

function queryOf(url: string | undefined): URLSearchParams {
  const raw = url ?? '';
  const q = raw.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
}

/**
 * Build the admin and self-service routes. Mount after `stytchAuth()`, usually under a prefix.
 *
 * Members of the signed-in member's own organization: `GET /members`, `GET /members/:member_id`,
 * `POST /members/invite`, `POST /members/:member_id/resend-invite`, `PUT /members/:member_id/roles`,
 * `POST /members/:member_id/deactivate`, `POST /members/:member_id/reactivate`,
 * `DELETE /members/:member_id`, `DELETE /members/:member_id/mfa/phone`, `.../mfa/totp`,
 * `.../password`. The organization: `GET /organization`, `PATCH /organization`. Oneself:
 * `GET /me`, `PATCH /me`, `DELETE /me/mfa/phone`, `DELETE /me/mfa/totp`,
 * `POST /me/recovery-codes`, `POST /me/recovery-codes/rotate`, `GET /me/sessions`,
 * `POST /me/sessions/revoke-all`.
 *
 * Every call to Stytch carries the member's own session (member-session header), so Stytch
 * applies that member's RBAC; with `localCheck` (default) the same permission is first checked
 * against the cached policy, so a refusal (403 `permission_denied` naming the permission) costs
 * no Stytch call. Every non-GET passes the CSRF origin check (403 `csrf_rejected`). Answers are
 * JSON; a URL-encoded form post with a safe `return_to` gets a 303 there (with `?error=<code>` on
 * failure), and may ask for PUT, PATCH or DELETE with a `_method` field.
 *
 * @throws ConfigError when `appUrl` is missing or invalid, an option is unknown, a path is
 *   malformed or shared by two routes, or the invite routes are enabled without `inviteRedirectUrl`.
 * @example
 * const auth = stytchAuth({ loginUrl: '/login' });
 * app.use(auth);
 * app.use('/api/org', stytchAdminRoutes({ auth, appUrl: 'https://app.example.com', inviteRedirectUrl: 'https://app.example.com/auth/callback' }));
 */
export function stytchAdminRoutes(options: StytchAdminRoutesOptions): StytchAdminRoutesMiddleware {
  const given = options?.auth;
  const givenInstance = given === undefined ? undefined : instanceOf(given);
  if (given !== undefined && givenInstance === undefined) throw new ConfigError('stytchAdminRoutes(): option "auth" must be the middleware returned by stytchAuth().');
  const cfg = resolveAdminOptions(options);
  const csrf: CsrfPolicy = { allowedOrigins: cfg.allowedOrigins, trustedSubdomains: cfg.trustedSubdomains };
  const routes = compile(cfg);
  const sessionCookies = new WeakMap<StytchInstance, { readonly sessionCookies: { readonly token: string } }>();
  const cookiesOf = (instance: StytchInstance): { readonly sessionCookies: { readonly token: string } } => {
    let found = sessionCookies.get(instance);
    if (found === undefined) sessionCookies.set(instance, (found = Object.freeze({ sessionCookies: Object.freeze({ token: instance.context.config.cookies.token }) })));
    return found;
  };

  async function run(candidates: { route: CompiledRoute; memberId: string | undefined }[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = findRequestState(req);
    const decision = state?.decision;
    const instance = givenInstance ?? state?.instance;
    if (decision === undefined || instance === undefined) {
      answerError(req, res, new MiddlewareNotMountedError('stytchAdminRoutes(): stytchAuth() is not mounted before these routes.'), { onError: cfg.onError });
      return;
    }
    const { context } = instance;
    const requested = (req.method ?? 'GET').toUpperCase();
    /** A form post's validated `return_to`: where success and failure alike are answered with a 303. */
    let returnTo: string | undefined;
    let event = 'stytch.admin.request';
    try {
      if (requested !== 'GET' && requested !== 'HEAD') {
        const rejection = checkCsrf(req, csrf);
        if (rejection !== undefined) {
          logEvent(context.logger, 'warn', 'stytch.admin.csrf_rejected', { reason: rejection });
          throw csrfError();
        }
      }
      const auth = decision.auth;
      if (auth.status === 'undecided') throw auth.error;
      if (auth.status === 'machine' || (auth.status === 'signed_out' && auth.reason === 'token_type_not_accepted')) {
        throw new AuthenticationError('token_type_not_accepted', 'These routes are for signed-in members only.');
      }
      if (auth.status !== 'signed_in') throw new AuthenticationError('unauthenticated', 'Sign in first.');
      const authorization = sessionCredential(req, { auth, credential: decision.credential, cfg: cookiesOf(instance) });

      let fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      let method = requested;
      const isForm = isFormPost(req);
      if (requested !== 'GET' && requested !== 'HEAD') {
        fields = await readBodyObject(req, cfg.maxBodyBytes);
        if (isForm) {
          if (isSafeReturnTo(fields.return_to)) returnTo = fields.return_to;
          const override = typeof fields._method === 'string' ? fields._method.toUpperCase() : undefined;
          if (requested === 'POST' && override !== undefined && OVERRIDABLE.has(override)) method = override;
        }
        for (const meta of META_FIELDS) delete fields[meta];
      }
      const found = candidates.find((c) => c.route.method === method || (method === 'HEAD' && c.route.method === 'GET'));
      if (found === undefined) {
        res.setHeader('Allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
        sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Method not allowed.' } });
        return;
      }
      event = `stytch.admin.${found.route.name}`;
      const ac: AdminContext = {
        cfg,
        auth,
        authorization,
        client: context.client,
        instance,
        logger: context.logger,
        memberId: found.memberId,
        query: queryOf(req.url),
        fields,
        isForm,
        now: () => context.now(),
      };
      const answer = await HANDLERS[found.route.name](req, res, ac);
      if (returnTo !== undefined) redirect(res, returnTo);
      else sendJson(res, answer.status, answer.body, req);
    } catch (err) {
      answerError(req, res, err, { logger: context.logger, onError: cfg.onError, errorTarget: returnTo, event });
    }
  }

  return function stytchAdminRoutesMiddleware(req, res, next) {
    const candidates = matching(routes, req.url);
    if (candidates.length === 0) {
      next();
      return;
    }
    run(candidates, req, res).catch((err: unknown) => {
      // run() answers its own errors; this only guards against a failure while answering.
      answerError(req, res, err);
    });
  };
}
