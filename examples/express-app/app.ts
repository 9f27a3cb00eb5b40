/**
 * The example B2B app: "Docs Hub". This file is the reference for wiring the library:
 *
 *   app.use(stytchAuth(...))                 verify the session on every request (local JWT check)
 *   app.use('/auth', stytchRoutes(...))      login (link, code, password), callback, discovery, MFA, password
 *                                            reset and change, switch, logout, email update
 *   app.use('/api/org', stytchAdminRoutes(...))  members, organization settings and the member's own
 *                                            factors and sessions, as the signed-in member (admin.ts pages)
 *   requireAuth() / requirePermission(...)   guard pages
 *   getStytchAuth(req)                       who is asking
 *   /api/documents                           the same permission for members and M2M tokens (scopes)
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { StytchB2BClient } from '../../src/client/client.js';
import type { OutboxMessage } from '../../src/emulator/index.js';
import { StytchApiError, csrfProtection, getStytchAuth, getStytchContext, requireAuth, requirePermission, stytchAdminRoutes, stytchAuth, stytchRoutes } from '../../src/index.js';
import type { ErrorPageRenderer, SignedInAuth } from '../../src/index.js';
import { TEST_IDP_CERTIFICATE } from '../../src/emulator/sso-metadata.js';
import { DocumentStore } from './documents.js';
import type { LayoutContext } from './views/layout.js';
import type { SafeHtml } from './views/html.js';
import * as pages from './views/pages.js';
import { adminRouter } from './admin.js';
import { memberAuthorization, queryString, readJson, signedIn, stytchRefusal } from './request.js';

/** Options of {@link createApp}. */
export interface ExampleAppOptions {
  /** The origin browsers use for this app, e.g. `http://127.0.0.1:3000` (CSRF checks and email links). */
  appUrl: string;
  /** The Stytch client (real Stytch or the emulator). */
  client: StytchB2BClient;
  /** Clock in epoch ms. Emulator mode passes the emulator's clock so tests can move time. */
  now?: () => number;
  /** Emulator mode: the outbox shown on the dev mailbox page. Absent with real Stytch. */
  mailbox?: { list(): OutboxMessage[] };
  /**
   * The project's public token, for the SSO and OAuth start routes (the emulator's own in emulator
   * mode, `STYTCH_PUBLIC_TOKEN` with real Stytch). Without one those buttons are not offered.
   */
  publicToken?: string | undefined;
}

/**
 * Build the example app.
 *
 * @example
 * const app = createApp({ appUrl: 'http://127.0.0.1:3000', client: new StytchB2BClient() });
 * app.listen(3000, '127.0.0.1');
 */
export function createApp(options: ExampleAppOptions): express.Express {
  const { appUrl, client, mailbox, publicToken } = options;
  const now = options.now ?? Date.now;
  const documents = new DocumentStore(now);
  const devMode = mailbox !== undefined;

  const app = express();
  app.disable('x-powered-by');
  // Form GETs to the SSO and OAuth start routes redirect to Stytch: form-action allows its origin.
  app.use(securityHeaders(new URL(client.config.baseUrl).origin));
  // The icon every page links to; a request for the conventional /favicon.ico gets it too (no 404s).
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use('/static', express.static(new URL('./public/', import.meta.url).pathname, { index: false, maxAge: '1h' }));

  // 1. Identify the caller on every request. Locally verified JWTs cost no network call.
  // Refusals of page loads and form posts (403, 503) render as HTML; API calls keep the JSON body.
  const view = (req: Request): LayoutContext => ({ devMode, member: memberChrome(req) });
  const federated = publicToken !== undefined && publicToken !== '';
  const send = (res: Response, page: SafeHtml, status = 200) => res.status(status).type('html').send(page.toString());
  const errorPage: ErrorPageRenderer = (req, res, error) => send(res as Response, pages.errorPage(view(req as Request), refusalPage(error.status, error.code)), error.status);
  // `acceptsToken`: M2M access tokens are verified too; only routes that opt in take them.
  const auth = stytchAuth({ client, now, loginUrl: '/login', mfaUrl: '/mfa', errorPage, acceptsToken: ['session', 'm2m'] });
  app.use(auth);

  // The email changes members asked for, by member id: the address they had then. When a page
  // later finds Stytch holding another address, the change went through and the page says so.
  // (In memory, per process, like everything else in this example.)
  const emailChanges = new Map<string, string>();
  app.post('/auth/email/update', (req, _res, next) => {
    const auth = getStytchAuth(req);
    if (auth.isAuthenticated) {
      if (emailChanges.size >= 10_000) emailChanges.clear();
      emailChanges.set(auth.memberId, memberChrome(req)?.email ?? '');
    }
    next();
  });
  const emailChanged = (memberId: string, current: string): boolean => {
    const before = emailChanges.get(memberId);
    if (before === undefined || before === current) return false;
    emailChanges.delete(memberId);
    return true;
  };

  // 2. The drop-in auth routes: email login, the magic-link callback, discovery, MFA, logout...
  // `auth` hands them the login and MFA pages and the cookie settings of the middleware above.
  // A failed step goes back to the page it came from (`errorUrls`), with `?error=<code>`.
  app.use(
    '/auth',
    stytchRoutes({
      auth,
      appUrl,
      afterLoginUrl: '/dashboard',
      afterLogoutUrl: '/login',
      // SSO and OAuth start routes (GET /auth/sso/start, /auth/oauth/start, /auth/oauth/discovery/start).
      // The token is always decided by start.ts (`env: {}`): the library never reads the environment itself.
      ...(federated ? { publicToken } : {}),
      env: {},
      discoveryUrl: '/select-org',
      errorUrls: {
        discoveryExchange: '/select-org',
        discoveryCreate: '/select-org',
        switchOrganization: '/dashboard',
        emailUpdate: '/account',
      },
    }),
  );

  // 2b. The admin routes: a JSON API acting as the signed-in member (Stytch checks their RBAC on
  // every call, after the same check made locally). The members, organization and account pages
  // read it and post to it. Invitations come back through the callback route above.
  app.use(ADMIN_API, stytchAdminRoutes({ auth, appUrl, inviteRedirectUrl: `${appUrl}/auth/callback` }));

  // Our own state-changing routes get the same Origin check as the auth routes.
  const csrf = csrfProtection({ appUrl });
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const allowed = (resource: string, action: string) => requirePermission(resource, action);

  // Public pages.
  app.get('/', (req, res) => res.redirect(303, getStytchAuth(req).isAuthenticated ? '/dashboard' : '/login'));
  app.get('/login', (req, res) => {
    // The login route answers a form post with a 303 back here: `?status=email_sent`.
    // `step=verify_email`: an OAuth provider that does not verify emails (GitHub...) signed in; the
    // emailed link is the second primary factor that finishes the login.
    if (queryString(req, 'status') === 'email_sent') return void send(res, pages.checkEmailPage(view(req), { verifyEmail: queryString(req, 'step') === 'verify_email' }));
    // The code and password-reset routes answer their form posts with these statuses.
    if (queryString(req, 'status') === 'code_sent') return void send(res, pages.codeLoginPage(view(req), { sent: true }));
    if (queryString(req, 'status') === 'reset_email_sent') return void send(res, pages.forgotPasswordPage(view(req), { sent: true }));
    send(res, pages.loginPage(view(req), { returnTo: queryString(req, 'return_to'), error: queryString(req, 'error'), federated }));
  });
  // "Your organization's sign-in page": /org?slug=acme -> /org/acme/login.
  app.get('/org', (req, res) => {
    const slug = queryString(req, 'slug')?.trim().toLowerCase() ?? '';
    res.redirect(303, SLUG.test(slug) ? `/org/${encodeURIComponent(slug)}/login` : '/login?error=invalid_organization');
  });
  // One organization's sign-in page, from the library's public `GET /auth/organizations/login-methods`
  // (the same JSON a front end would fetch): only the buttons this organization allows.
  app.get('/org/:slug/login', async (req, res, next) => {
    const slug = String(req.params.slug);
    const notFound = () => send(res, pages.errorPage(view(req), { status: 404, code: 'organization_not_found', title: 'Not found', message: 'There is no organization with this address.' }), 404);
    if (!SLUG.test(slug)) return void notFound();
    try {
      const answer = await fetch(`${appUrl}/auth/organizations/login-methods?slug=${encodeURIComponent(slug)}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
      if (answer.status === 404 || answer.status === 400) return void notFound();
      if (!answer.ok) return void next(Object.assign(new Error('login methods unavailable'), { status: 503 }));
      const methods = (await answer.json()) as pages.OrganizationLoginView;
      send(res, pages.organizationLoginPage(view(req), methods, { error: queryString(req, 'error') }));
    } catch {
      next(Object.assign(new Error('login methods unavailable'), { status: 503 }));
    }
  });
  app.get('/login/password', (req, res) => send(res, pages.passwordLoginPage(view(req), { returnTo: queryString(req, 'return_to'), error: queryString(req, 'error') })));
  app.get('/login/code', (req, res) => send(res, pages.codeLoginPage(view(req), { sent: false, error: queryString(req, 'error') })));
  app.get('/forgot-password', (req, res) => send(res, pages.forgotPasswordPage(view(req), { sent: false, error: queryString(req, 'error') })));
  app.get('/reset-password', (req, res) => send(res, pages.resetPasswordPage(view(req), { error: queryString(req, 'error') })));
  app.get('/select-org', (req, res) => send(res, pages.selectOrganizationPage(view(req), { error: queryString(req, 'error') })));
  app.get('/mfa', (req, res) => send(res, pages.mfaPage(view(req), { error: queryString(req, 'error') })));

  if (mailbox) {
    app.get('/dev/mailbox', (req, res) => {
      const messages = mailbox
        .list()
        .slice()
        .reverse()
        .map((m) => ({ at: new Date(m.at), channel: m.channel, to: m.to, kind: m.kind, link: m.link, code: m.code }));
      send(res, pages.mailboxPage(view(req), messages));
    });
    // Dev tool (emulator mode only, like the mailbox): create an M2M client for /api/documents.
    // Its secret is in this answer only; the token URL is the project's client-credentials endpoint.
    app.post('/dev/m2m-clients', csrf, async (_req, res, next) => {
      try {
        const { m2m_client } = await client.m2m.clients.create({ scopes: ['read:documents', 'write:documents'], client_name: 'Docs Hub dev integration' });
        res.status(201).json({
          client_id: m2m_client.client_id,
          client_secret: m2m_client.client_secret,
          scopes: m2m_client.scopes,
          token_url: `${client.config.baseUrl}/v1/public/${encodeURIComponent(client.config.projectId)}/oauth2/token`,
        });
      } catch (error) {
        next(error);
      }
    });
  }

  // 3. Signed-in pages.
  app.get('/dashboard', requireAuth(), async (req, res) => {
    const auth = signedIn(req);
    const { member, organization } = await client.organizations.members.get({ organization_id: auth.organizationId, member_id: auth.memberId });
    send(
      res,
      pages.dashboardPage(view(req), {
        member: { memberId: auth.memberId, email: member.email_address, name: member.name },
        organization: { id: organization.organization_id, name: organization.organization_name, slug: organization.organization_slug, mfaPolicy: organization.mfa_policy },
        roles: auth.roles,
        factors: auth.authenticationFactors.map((f) => f.type),
        sessionStartedAt: auth.sessionStartedAt,
        sessionExpiresAt: auth.sessionExpiresAt,
        verifiedBy: auth.verifiedBy,
        switchTargets: await switchTargets(req, auth),
        emailChanged: emailChanged(auth.memberId, member.email_address),
        error: queryString(req, 'error'),
      }),
    );
  });

  app.get('/documents', allowed('documents', 'read'), (req, res) => {
    const auth = signedIn(req);
    send(
      res,
      pages.documentsPage(view(req), {
        docs: documents.list(auth.organizationId),
        // `can` answers from the cached policy, synchronously: handy for showing or hiding UI.
        canCreate: auth.can('documents', 'create'),
        canDelete: auth.can('documents', 'delete'),
        // Only known notices are shown: a link cannot put arbitrary text on our page.
        notice: NOTICES.get(queryString(req, 'notice') ?? ''),
      }),
    );
  });

  app.post('/documents', csrf, allowed('documents', 'create'), form, (req, res) => {
    const auth = signedIn(req);
    const title = typeof req.body?.title === 'string' ? (req.body.title as string).trim().slice(0, 200) : '';
    if (title === '') return void res.redirect(303, '/documents?notice=title_required');
    documents.create(auth.organizationId, title, memberChrome(req)?.email ?? auth.memberId);
    res.redirect(303, '/documents?notice=created');
  });

  app.post('/documents/:id/delete', csrf, allowed('documents', 'delete'), (req, res) => {
    const auth = signedIn(req);
    // Scoped by the session's organization: a document id from another tenant is simply not found.
    const deleted = documents.delete(auth.organizationId, String(req.params.id));
    res.redirect(303, `/documents?notice=${deleted ? 'deleted' : 'not_found'}`);
  });

  // SSO administration for the organization's admins: the SAML connections, through the client's
  // SSO calls made as the member (Stytch checks `stytch.sso` for the member session as well).
  app.get('/admin/sso', allowed('stytch.sso', 'get'), async (req, res) => {
    const auth = signedIn(req);
    const [{ saml_connections }, { organization }] = await Promise.all([
      client.sso.getConnections({ organization_id: auth.organizationId }, { authorization: memberAuthorization(req) }),
      client.organizations.get({ organization_id: auth.organizationId }),
    ]);
    send(
      res,
      pages.ssoAdminPage(view(req), {
        connections: saml_connections.map((c) => ({
          connectionId: c.connection_id,
          displayName: c.display_name,
          status: c.status,
          idpSsoUrl: c.idp_sso_url,
          idpEntityId: c.idp_entity_id,
          isDefault: c.connection_id === organization.sso_default_connection_id,
        })),
        certificateHint: devMode
          ? 'Emulator mode: a connection without a certificate gets the emulator test IdP certificate, and members sign in through its built-in IdP page.'
          : 'A connection turns active once it has the IdP SSO URL, the entity id and the IdP signing certificate.',
        notice: SSO_NOTICES.get(queryString(req, 'status') ?? ''),
        error: queryString(req, 'error'),
      }),
    );
  });

  const ssoFields = (req: Request) => {
    const field = (name: string, max: number) => (typeof req.body?.[name] === 'string' ? req.body[name].trim().slice(0, max) : '');
    const certificate = field('x509_certificate', 8192);
    return {
      display_name: field('display_name', 256),
      idp_sso_url: field('idp_sso_url', 2048),
      idp_entity_id: field('idp_entity_id', 2048),
      // Emulator mode: its fixed test IdP certificate stands in when none is given.
      ...(certificate !== '' ? { x509_certificate: certificate } : devMode ? { x509_certificate: TEST_IDP_CERTIFICATE } : {}),
      attribute_mapping: { email: 'email', full_name: 'name' },
    };
  };

  app.post('/admin/sso', csrf, allowed('stytch.sso', 'create'), form, async (req, res, next) => {
    const auth = signedIn(req);
    const fields = ssoFields(req);
    const authorization = memberAuthorization(req);
    try {
      const { connection } = await client.sso.saml.createConnection({ organization_id: auth.organizationId, display_name: fields.display_name }, { authorization });
      const connection_id = connection?.connection_id ?? '';
      try {
        await client.sso.saml.updateConnection({ organization_id: auth.organizationId, connection_id, ...fields }, { authorization });
      } catch (error) {
        // A refused setting leaves no half-made connection behind.
        await client.sso.deleteConnection({ organization_id: auth.organizationId, connection_id }, { authorization }).catch(() => undefined);
        throw error;
      }
      res.redirect(303, '/admin/sso?status=created');
    } catch (error) {
      stytchRefusal(error, res, '/admin/sso', next);
    }
  });

  app.post('/admin/sso/:id', csrf, allowed('stytch.sso', 'update'), form, async (req, res, next) => {
    const auth = signedIn(req);
    try {
      await client.sso.saml.updateConnection({ organization_id: auth.organizationId, connection_id: String(req.params.id), ...ssoFields(req) }, { authorization: memberAuthorization(req) });
      res.redirect(303, '/admin/sso?status=saved');
    } catch (error) {
      stytchRefusal(error, res, '/admin/sso', next);
    }
  });

  // Members, organization settings and M2M clients (admin.ts). The first two go through the
  // admin routes mounted above, as the member; their pages only show what the member may change.
  app.use(adminRouter({ appUrl, client, api: ADMIN_API, csrf, view, send, now }));

  app.get('/account', requireAuth(), async (req, res) => {
    const auth = signedIn(req);
    // The current address from Stytch (the session's email factor may predate an email change).
    const { member } = await client.organizations.members.get({ organization_id: auth.organizationId, member_id: auth.memberId });
    // Factors and sessions: the admin routes' JSON, read as this browser (what a front end would fetch).
    const [me, sessions] = await Promise.all([
      readJson<{ factors: pages.AccountSecurityView['factors'] }>(req, `${appUrl}${ADMIN_API}/me`),
      readJson<{ sessions: pages.AccountSecurityView['sessions'] }>(req, `${appUrl}${ADMIN_API}/me/sessions`),
    ]);
    send(
      res,
      pages.accountPage(view(req), {
        security:
          me.ok && sessions.ok
            ? { api: ADMIN_API, factors: me.data.factors, sessions: sessions.data.sessions, status: queryString(req, 'status') }
            : undefined,
        email: member.email_address,
        sent: queryString(req, 'status') === 'email_update_sent',
        passwordChanged: queryString(req, 'status') === 'password_changed',
        changed: emailChanged(auth.memberId, member.email_address),
        error: queryString(req, 'error'),
      }),
    );
  });

  // 3b. A JSON API for members (session cookie or bearer JWT) and M2M clients alike. Members act in
  // their own organization. An M2M client made on an organization's /admin/m2m page acts in that
  // organization only (recorded in its trusted metadata); a project-level client (the dev tool's)
  // names the organization. The policy's `scopes` map read:documents / write:documents onto the
  // documents permissions.
  const apiOrganization = apiOrganizationOf(machineOrganizations(client, now));
  const membersAndMachines = { acceptsToken: ['session', 'm2m'] } as const;
  const json = express.json({ limit: '4kb' });
  // Browsers send cookies by themselves, so member calls get the Origin check; a bearer token is never sent by itself.
  const csrfForMembers: RequestHandler = (req, res, next) => (getStytchAuth(req).status === 'machine' ? next() : csrf(req, res, next));
  app.get('/api/documents', requirePermission('documents', 'read', membersAndMachines), async (req, res) => {
    const organizationId = await apiOrganization(req, res);
    if (organizationId === undefined) return;
    res.json({ documents: documents.list(organizationId).map((d) => ({ id: d.id, title: d.title, author: d.author, created_at: d.createdAt.toISOString() })) });
  });
  app.post('/api/documents', csrfForMembers, requirePermission('documents', 'create', membersAndMachines), json, async (req, res) => {
    const organizationId = await apiOrganization(req, res);
    if (organizationId === undefined) return;
    const title = typeof req.body?.title === 'string' ? (req.body.title as string).trim().slice(0, 200) : '';
    if (title === '') return void res.status(400).json({ error: { code: 'title_required', message: 'A title is required.' } });
    const auth = getStytchAuth(req);
    const author = auth.status === 'machine' ? `client ${auth.clientId}` : (memberChrome(req)?.email ?? 'member');
    const doc = documents.create(organizationId, title, author);
    res.status(201).json({ document: { id: doc.id, title: doc.title, author: doc.author, created_at: doc.createdAt.toISOString() } });
  });

  // 4. Everything else: a 404 page, and an error page that never shows a stack.
  app.use((req, res) => send(res, pages.errorPage(view(req), { status: 404, code: 'not_found', title: 'Not found', message: 'There is no page here.' }), 404));
  app.use(errorHandler(view, send));
  return app;
}

/** Where `stytchAdminRoutes()` is mounted (the JSON API of the members and account pages). */
const ADMIN_API = '/api/org';

const SSO_NOTICES = new Map([
  ['created', 'Connection created.'],
  ['saved', 'Connection saved.'],
]);

const SLUG = /^[a-z0-9._~-]{2,128}$/;

const NOTICES = new Map([
  ['created', 'Document created.'],
  ['deleted', 'Document deleted.'],
  ['not_found', 'No such document.'],
  ['title_required', 'A title is required.'],
]);

/** The page shown when a guard refuses a page load or a form post. */
function refusalPage(status: number, code: string): { status: number; code: string; title: string; message: string } {
  if (status === 403) return { status, code, title: 'Not allowed', message: 'Your roles in this organization do not allow this. Ask an admin, or switch organization.' };
  if (status === 503) return { status, code, title: 'Temporarily unavailable', message: 'Our sign-in provider is not reachable right now. Please try again in a moment.' };
  return { status, code, title: 'Sign in required', message: 'Please sign in to continue.' };
}

/** Where an M2M client may act: its organization, none recorded (project-level), or gone. */
type MachineHome = { kind: 'organization'; organizationId: string } | { kind: 'project' } | { kind: 'gone' };

/**
 * The organization each M2M client was made for, from its `trusted_metadata.organization_id`
 * (set by the /admin/m2m page), remembered for a minute per client so a busy integration costs
 * one Stytch call a minute. Rejects when Stytch cannot be reached.
 */
function machineOrganizations(client: StytchB2BClient, now: () => number): (clientId: string) => Promise<MachineHome> {
  const known = new Map<string, { home: MachineHome; until: number }>();
  return async (clientId) => {
    const hit = known.get(clientId);
    if (hit !== undefined && hit.until > now()) return hit.home;
    let home: MachineHome;
    try {
      const { m2m_client } = await client.m2m.clients.get({ client_id: clientId });
      const organizationId = m2m_client.trusted_metadata?.organization_id;
      home = typeof organizationId === 'string' && organizationId !== '' ? { kind: 'organization', organizationId } : { kind: 'project' };
    } catch (error) {
      // A deleted client's tokens still verify until they expire; this app stops serving them.
      if (!(error instanceof StytchApiError && error.status === 404)) throw error;
      home = { kind: 'gone' };
    }
    if (known.size >= 1000) known.clear();
    known.set(clientId, { home, until: now() + 60_000 });
    return home;
  };
}

/**
 * The organization an /api call acts in: a member's own; an organization's M2M client, its own
 * (another one named in `?organization_id=` is 403); a project-level M2M client, the one it names
 * in `?organization_id=` (400 without). Answers the refusal itself and returns undefined.
 */
function apiOrganizationOf(homeOf: (clientId: string) => Promise<MachineHome>) {
  const refuse = (res: Response, status: number, code: string, message: string): undefined => void res.status(status).json({ error: { code, message } });
  return async (req: Request, res: Response): Promise<string | undefined> => {
    const auth = getStytchAuth(req);
    if (auth.isAuthenticated) return auth.organizationId;
    if (auth.status !== 'machine') return refuse(res, 401, 'unauthenticated', 'Sign in first.');
    const requested = queryString(req, 'organization_id');
    let home: MachineHome;
    try {
      home = await homeOf(auth.clientId);
    } catch {
      return refuse(res, 503, 'upstream_unavailable', 'Stytch is not reachable right now; try again in a moment.');
    }
    if (home.kind === 'gone') return refuse(res, 403, 'm2m_client_not_found', 'This M2M client no longer exists.');
    if (home.kind === 'organization') {
      if (requested !== undefined && requested !== '' && requested !== home.organizationId) {
        return refuse(res, 403, 'tenancy_mismatch', "This M2M client belongs to another organization; leave out organization_id or name the client's own.");
      }
      return home.organizationId;
    }
    if (requested !== undefined && requested !== '') return requested;
    return refuse(res, 400, 'organization_required', 'M2M calls of a project-level client name the organization: ?organization_id=...');
  };
}

/**
 * What the page header shows, straight from the verified session (no network call): the
 * organization slug and the email of the session's email factor.
 */
function memberChrome(req: Request): LayoutContext['member'] {
  const auth = getStytchAuth(req);
  if (!auth.isAuthenticated) return undefined;
  const email = auth.authenticationFactors.find((f) => f.email_factor)?.email_factor?.email_address ?? auth.memberId;
  return { email, organizationSlug: auth.organizationSlug };
}

/** Other organizations this member can switch into, from Stytch's discovery list (undefined when unavailable). */
async function switchTargets(req: Request, auth: SignedInAuth): Promise<pages.DashboardView['switchTargets']> {
  const { client, credential } = getStytchContext(req);
  if (!credential) return undefined;
  try {
    const { discovered_organizations } = await client.discovery.organizations.list(
      credential.kind === 'jwt' ? { session_jwt: credential.value } : { session_token: credential.value },
    );
    return discovered_organizations
      .filter((d) => d.organization.organization_id !== auth.organizationId && d.membership.type === 'active_member')
      .map((d) => ({ id: d.organization.organization_id, name: d.organization.organization_name, mfaRequired: d.mfa_required !== null }));
  } catch {
    return undefined;
  }
}

/**
 * A strict CSP: only our own script and stylesheet; QR codes arrive as `data:` images. Forms may
 * post to this app and lead to Stytch (`stytchOrigin`): browsers apply form-action to the
 * redirects after a form submission too, and the SSO/OAuth start routes redirect there.
 */
const securityHeaders = (stytchOrigin: string): RequestHandler => (_req, res, next) => {
  res.setHeader('Content-Security-Policy', `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' ${stytchOrigin}; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Not 'no-referrer': with it, browsers send `Origin: null` on form posts, which the CSRF check refuses.
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
};

function errorHandler(view: (req: Request) => LayoutContext, send: (res: Response, page: SafeHtml, status?: number) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    const unavailable = status === 502 || status === 503;
    const code = unavailable ? 'upstream_unavailable' : status >= 500 ? 'internal_error' : 'request_error';
    if (status >= 500 && !unavailable) console.error('Unhandled error:', err instanceof Error ? err.name : 'unknown');
    send(
      res,
      pages.errorPage(view(req), {
        status,
        code,
        title: unavailable ? 'Temporarily unavailable' : 'Something went wrong',
        message: unavailable ? 'Our sign-in provider is not reachable right now. Please try again in a moment.' : 'Please try again.',
      }),
      status >= 400 && status < 600 ? status : 500,
    );
  };
}
