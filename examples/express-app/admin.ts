/**
 * The admin pages of the example: members, organization settings and M2M clients.
 *
 * Members and the organization are managed through the library's `stytchAdminRoutes()` (mounted by
 * `app.ts` under `api`): these pages read its JSON and their forms post back to it, so every change
 * is made at Stytch as the signed-in member. The M2M page uses the typed client directly (M2M
 * clients belong to the project, not to a member), behind the app's own `integrations` permission.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { StytchB2BClient } from '../../src/client/client.js';
import { getStytchContext, requirePermission } from '../../src/index.js';
import type { SafeHtml } from './views/html.js';
import type { LayoutContext } from './views/layout.js';
import * as adminPages from './views/admin-pages.js';
import { queryString, readJson, signedIn, stytchRefusal, type JsonAnswer } from './request.js';

/** What {@link adminRouter} needs from the app. */
export interface AdminRouterOptions {
  appUrl: string;
  client: StytchB2BClient;
  /** Where `stytchAdminRoutes()` is mounted, e.g. `/api/org`. */
  api: string;
  csrf: RequestHandler;
  view(this: void, req: Request): LayoutContext;
  send(this: void, res: Response, page: SafeHtml, status?: number): void;
  now(): number;
}

/** The scopes an M2M client of this app may hold (the policy maps them onto `documents`). */
const M2M_SCOPES = ['read:documents', 'write:documents'] as const;

const MEMBER_NOTICES = new Map([
  ['invited', 'Invitation sent.'],
  ['resent', 'Invitation sent again.'],
  ['removed', 'Invitation revoked.'],
  ['roles_saved', 'Roles saved.'],
  ['deactivated', 'Member deactivated.'],
  ['reactivated', 'Member reactivated.'],
  ['mfa_reset', 'Two-step verification reset: the member sets it up again at their next sign-in.'],
]);

/**
 * The router of the admin pages.
 *
 * @example
 * app.use(adminRouter({ appUrl, client, api: '/api/org', csrf, view, send, now }));
 */
export function adminRouter(options: AdminRouterOptions): express.Router {
  const { appUrl, client, api, csrf, view, send } = options;
  const router = express.Router();
  const allowed = (resource: string, action: string) => requirePermission(resource, action);
  const admin = (path: string) => `${appUrl}${api}${path}`;

  /** A refused read: true after handing 401, 403 and 5xx to the error page; false (render, with a banner for a 4xx) otherwise. */
  const refused = (answer: JsonAnswer<unknown>, next: (err: unknown) => void): boolean => {
    if (answer.ok || (answer.status >= 400 && answer.status < 500 && answer.status !== 401 && answer.status !== 403)) return false;
    next(Object.assign(new Error(`admin route answered ${answer.status}`), { status: answer.status, code: answer.code }));
    return true;
  };

  // Members: list (with search), and per member what the viewer's `stytch.member` permissions allow.
  router.get('/members', allowed('stytch.member', 'search'), async (req, res, next) => {
    const auth = signedIn(req);
    const query = (queryString(req, 'q') ?? '').trim().slice(0, 254);
    // `show` filters by status (`status` is the notice a form came back with).
    const status = (queryString(req, 'show') ?? '').trim();
    const search = new URLSearchParams({ limit: '200' });
    if (query !== '') search.set('q', query);
    if (status !== '') search.set('status', status);
    const answer = await readJson<{ members: adminPages.AdminMemberView[]; total: number }>(req, admin(`/members?${search.toString()}`));
    if (refused(answer, next)) return;
    const snapshot = await getStytchContext(req).policyCache.get(auth.organizationId);
    const roles = snapshot.policy.roles.filter((r) => r.role_id !== 'stytch_member').map((r) => ({ id: r.role_id, description: r.description }));
    const can = (action: string) => auth.can('stytch.member', action);
    send(
      res,
      adminPages.membersPage(view(req), {
        api,
        members: answer.ok ? answer.data.members : [],
        total: answer.ok ? answer.data.total : 0,
        query,
        status,
        roles,
        can: {
          invite: can('create'),
          updateRoles: can('update.settings.roles'),
          deactivate: can('delete'),
          reactivate: can('create'),
          removePhone: can('update.info.delete.mfa-phone'),
          removeTotp: can('update.info.delete.mfa-totp'),
        },
        notice: MEMBER_NOTICES.get(queryString(req, 'status') ?? ''),
        error: answer.ok ? queryString(req, 'error') : answer.code,
      }),
    );
  });

  // Organization settings: one form; each field enabled only with its own `stytch.organization` action.
  router.get('/admin/organization', allowed('stytch.organization', 'update.info.name'), async (req, res, next) => {
    const auth = signedIn(req);
    const answer = await readJson<{ organization: adminPages.AdminOrganizationView }>(req, admin('/organization'));
    if (refused(answer, next)) return;
    if (!answer.ok) return void next(Object.assign(new Error('organization unavailable'), { status: 503 }));
    const can = (action: string) => auth.can('stytch.organization', action);
    send(
      res,
      adminPages.organizationPage(view(req), {
        api,
        organization: answer.data.organization,
        can: {
          name: can('update.info.name'),
          slug: can('update.info.slug'),
          mfaPolicy: can('update.settings.mfa-policy'),
          mfaMethods: can('update.settings.allowed-mfa-methods'),
          domains: can('update.settings.allowed-domains'),
          jit: can('update.settings.email-jit-provisioning'),
          invites: can('update.settings.email-invites'),
          authMethods: can('update.settings.allowed-auth-methods'),
        },
        notice: queryString(req, 'status') === 'saved' ? 'Settings saved.' : undefined,
        error: queryString(req, 'error'),
      }),
    );
  });

  // M2M clients. A new client's secret is held here for one page load, then forgotten: the POST
  // redirects (so a reload never creates a second client) and the page after it takes the secret
  // out of this map. Keyed by member and client, so nobody else's page can show it.
  const freshSecrets = new Map<string, { secret: string; until: number }>();
  const SECRET_HOLD_MS = 5 * 60_000;
  const takeSecret = (memberId: string, clientId: string): string | undefined => {
    const key = `${memberId} ${clientId}`;
    const held = freshSecrets.get(key);
    freshSecrets.delete(key);
    return held !== undefined && held.until > options.now() ? held.secret : undefined;
  };

  router.get('/admin/m2m', allowed('integrations', 'read'), async (req, res) => {
    const auth = signedIn(req);
    const { m2m_clients } = await client.m2m.clients.search({ limit: 1000 });
    const created = queryString(req, 'created');
    const secret = created === undefined ? undefined : takeSecret(auth.memberId, created);
    // The page that shows a secret must never be stored, by the browser or anyone on the way.
    res.setHeader('Cache-Control', 'no-store');
    send(
      res,
      adminPages.m2mPage(view(req), {
        clients: m2m_clients
          .filter((c) => c.trusted_metadata?.organization_id === auth.organizationId)
          .map((c) => ({ clientId: c.client_id, name: c.client_name, scopes: c.scopes, status: c.status, secretLastFour: c.client_secret_last_four })),
        scopes: M2M_SCOPES,
        tokenUrl: `${client.config.baseUrl}/v1/public/${encodeURIComponent(client.config.projectId)}/oauth2/token`,
        canCreate: auth.can('integrations', 'create'),
        created: created !== undefined && secret !== undefined ? { clientId: created, secret } : undefined,
        shown: created !== undefined && secret === undefined,
        error: queryString(req, 'error'),
      }),
    );
  });

  const form = express.urlencoded({ extended: false, limit: '4kb' });
  router.post('/admin/m2m', csrf, allowed('integrations', 'create'), form, async (req, res, next) => {
    const auth = signedIn(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.client_name === 'string' ? body.client_name.trim().slice(0, 128) : '';
    const requested = ([] as unknown[]).concat(body.scopes ?? []);
    const scopes = M2M_SCOPES.filter((s) => requested.includes(s));
    if (name === '') return void res.redirect(303, '/admin/m2m?error=m2m_name_required');
    if (scopes.length === 0 || scopes.length !== requested.length) return void res.redirect(303, '/admin/m2m?error=m2m_scopes_required');
    try {
      const { m2m_client } = await client.m2m.clients.create({
        client_name: name,
        scopes,
        // Which organization made it, and who: the page lists an organization's own clients.
        trusted_metadata: { organization_id: auth.organizationId, created_by: auth.memberId },
      });
      if (freshSecrets.size >= 1000) freshSecrets.clear();
      freshSecrets.set(`${auth.memberId} ${m2m_client.client_id}`, { secret: m2m_client.client_secret, until: options.now() + SECRET_HOLD_MS });
      res.redirect(303, `/admin/m2m?created=${encodeURIComponent(m2m_client.client_id)}`);
    } catch (error) {
      stytchRefusal(error, res, '/admin/m2m', next);
    }
  });

  return router;
}
