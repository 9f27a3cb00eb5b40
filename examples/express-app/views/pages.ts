/**
 * The example app's pages. Each one is a plain function from data to escaped HTML; the routes in
 * `app.ts` decide what data a page gets, so these know nothing about Stytch or Express.
 */
import { html, type SafeHtml } from './html.js';
import { errorBanner, layout, type LayoutContext } from './layout.js';

/** Sign-in form: posts to the library's `POST /auth/login/email` (discovery when no organization is given). */
export function loginPage(ctx: LayoutContext, input: { returnTo?: string | undefined; error?: string | undefined; federated?: boolean }): SafeHtml {
  return layout(
    ctx,
    'Sign in',
    html`${errorBanner(input.error)}
<p>Enter your work email. We will send you a sign-in link; you then pick one of your organizations.</p>
<form class="card" method="post" action="/auth/login/email" data-testid="login-form">
  <label>Work email <input type="email" name="email_address" required autocomplete="email" autofocus></label>
  ${input.returnTo ? html`<input type="hidden" name="return_to" value="${input.returnTo}">` : ''}
  <button type="submit">Email me a sign-in link</button>
</form>
<p class="muted">Or <a href="/login/code" data-testid="use-code">email me a code</a> · <a href="/login/password" data-testid="use-password">use a password</a> · <a href="/forgot-password" data-testid="forgot-password">forgot your password?</a></p>
${input.federated ? federatedSignIn(input.returnTo) : ''}`,
  );
}

/**
 * Single sign-on for a named organization (`GET /auth/sso/start?slug=`), and Google / Microsoft
 * without one (`GET /auth/oauth/discovery/start`: the organization picker comes next).
 */
function federatedSignIn(returnTo: string | undefined): SafeHtml {
  const back = returnTo ? html`<input type="hidden" name="return_to" value="${returnTo}">` : '';
  return html`<section class="card" data-testid="federated">
  <h2>Other ways to sign in</h2>
  <form method="get" action="/auth/sso/start" data-testid="sso-form" class="inline">
    <label>Organization slug <input name="slug" required pattern="${SLUG_PATTERN}" autocomplete="organization" placeholder="acme"></label>
    ${back}<button type="submit">Sign in with SSO</button>
  </form>
  <ul class="plain">
    ${['google', 'microsoft'].map(
      (provider) => html`<li><form method="get" action="/auth/oauth/discovery/start"><input type="hidden" name="provider" value="${provider}">${back}<button type="submit" data-testid="oauth-discovery" data-provider="${provider}">Sign in with ${PROVIDER_NAMES[provider] ?? provider}</button></form></li>`,
    )}
  </ul>
  <form method="get" action="/org" data-testid="org-page-form" class="inline">
    <label>Your organization's sign-in page <input name="slug" required pattern="${SLUG_PATTERN}" placeholder="acme"></label>
    <button type="submit">Go</button>
  </form>
</section>`;
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = { google: 'Google', microsoft: 'Microsoft', github: 'GitHub', slack: 'Slack', hubspot: 'HubSpot' };

/** Password sign-in (discovery: the organization picker comes next). */
export function passwordLoginPage(ctx: LayoutContext, input: { returnTo?: string | undefined; error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Sign in with a password',
    html`${errorBanner(input.error)}
<form class="card" method="post" action="/auth/login/password" data-testid="password-login-form">
  <label>Work email <input type="email" name="email_address" required autocomplete="email" autofocus></label>
  <label>Password <input type="password" name="password" required autocomplete="current-password" maxlength="256"></label>
  ${input.returnTo ? html`<input type="hidden" name="return_to" value="${input.returnTo}">` : ''}
  <button type="submit">Sign in</button>
</form>
<p class="muted"><a href="/forgot-password">Forgot your password?</a> · <a href="/login">Email me a link instead</a></p>`,
  );
}

/** Email-code sign-in: ask for a code, then enter it (discovery: the organization picker comes next). */
export function codeLoginPage(ctx: LayoutContext, input: { sent: boolean; error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Sign in with a code',
    html`${errorBanner(input.error)}
${input.sent
  ? html`<p class="banner ok" data-testid="code-sent">If this address belongs to an account, we sent it a 6-digit code (valid for 10 minutes).${ctx.devMode ? html` Read it in the <a href="/dev/mailbox">dev mailbox</a>.` : ''}</p>`
  : ''}
<form class="card" method="post" action="/auth/login/code/send" data-testid="code-send-form">
  <label>Work email <input type="email" name="email_address" required autocomplete="email"></label>
  <button type="submit">Email me a code</button>
</form>
<form class="card" method="post" action="/auth/login/code/verify" data-testid="code-verify-form">
  <label>Work email <input type="email" name="email_address" required autocomplete="email"></label>
  <label>Code <input name="code" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6"></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** Forgot password: one answer whether or not the address has an account. */
export function forgotPasswordPage(ctx: LayoutContext, input: { sent: boolean; error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Reset your password',
    html`${errorBanner(input.error)}
${input.sent
  ? html`<p class="banner ok" data-testid="reset-sent">If this address belongs to an account, we sent it a link to set a new password. Open it in this browser.${ctx.devMode ? html` Read it in the <a href="/dev/mailbox" data-testid="open-mailbox">dev mailbox</a>.` : ''}</p>`
  : html`<form class="card" method="post" action="/auth/password/reset/start" data-testid="forgot-form">
  <label>Work email <input type="email" name="email_address" required autocomplete="email" autofocus></label>
  <button type="submit">Email me a reset link</button>
</form>`}`,
  );
}

/** The new-password form a reset link leads to; `app.js` shows live strength feedback. */
export function resetPasswordPage(ctx: LayoutContext, input: { error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Choose a new password',
    html`${errorBanner(input.error)}
<form class="card" method="post" action="/auth/password/reset" data-testid="reset-form">
  <label>New password <input type="password" name="password" required autocomplete="new-password" maxlength="256" data-strength="strength-feedback"></label>
  <p class="muted" id="strength-feedback" data-testid="strength-feedback" aria-live="polite"></p>
  <button type="submit">Set password and sign in</button>
</form>`,
    { script: true },
  );
}

/** Shown after the sign-in form was accepted. The same answer whether or not the account exists. */
export function checkEmailPage(ctx: LayoutContext, input: { verifyEmail?: boolean } = {}): SafeHtml {
  return layout(
    ctx,
    'Check your email',
    html`${input.verifyEmail ? html`<p class="banner ok" data-testid="verify-email">Your sign-in provider does not confirm email addresses, so we emailed you a link to finish signing in.</p>` : ''}<p class="banner ok" data-testid="check-email">If this address belongs to an account, we sent it a sign-in link. Open it in this browser (it is bound to it) within 10 minutes; after that, ask for a new one.</p>
${ctx.devMode ? html`<p>Running against the emulator: no real email is sent. Open the <a href="/dev/mailbox" data-testid="open-mailbox">dev mailbox</a> to read it.</p>` : ''}`,
  );
}

/** One message of the emulator's outbox, as shown on the dev mailbox page. */
export interface MailboxEntry {
  at: Date;
  channel: string;
  to: string;
  kind: string;
  link?: string | undefined;
  code?: string | undefined;
}

/** The dev mailbox (emulator mode only): every email and SMS the emulator "sent", newest first. */
export function mailboxPage(ctx: LayoutContext, messages: readonly MailboxEntry[]): SafeHtml {
  const rows = messages.map(
    (m) => html`<tr data-testid="mail" data-to="${m.to}" data-kind="${m.kind}">
  <td>${m.at.toISOString().replace('T', ' ').slice(0, 19)}</td>
  <td>${m.channel}</td>
  <td>${m.to}</td>
  <td>${m.kind.replaceAll('_', ' ')}</td>
  <td>${m.link ? html`<a href="${m.link}" data-testid="mail-link">Open link</a>` : ''}${m.code ? html`<code data-testid="mail-code">${m.code}</code>` : ''}</td>
</tr>`,
  );
  return layout(
    ctx,
    'Dev mailbox',
    html`<p>Emails and text messages sent by the local Stytch emulator. Links point back at this app.</p>
${messages.length === 0
  ? html`<p class="muted">Nothing yet. Sign in to receive a link.</p>`
  : html`<table class="list"><thead><tr><th>Sent (UTC)</th><th>Channel</th><th>To</th><th>Kind</th><th>Content</th></tr></thead><tbody>${rows}</tbody></table>`}`,
  );
}

/**
 * The slug field's `pattern`. Browsers compile `pattern` with the `v` flag, where `-` (and a few
 * other characters) must be escaped inside a class, or the whole check is silently dropped.
 */
export const SLUG_PATTERN = '[a-z0-9._~\\-]{2,128}';

/** Organization picker after a discovery login: filled in by `app.js` from `GET /auth/discovery/organizations`. */
export function selectOrganizationPage(ctx: LayoutContext, input: { error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Choose an organization',
    html`${errorBanner(input.error)}
<section id="discovered" class="card" data-testid="discovered" aria-busy="true"><p class="muted">Loading your organizations…</p></section>
<div id="create-org" hidden>
<h2>Or create a new organization</h2>
<form class="card" method="post" action="/auth/discovery/organizations" data-testid="create-org-form">
  <label>Name <input name="organization_name" required maxlength="128"></label>
  <label>Slug <input name="organization_slug" required pattern="${SLUG_PATTERN}" title="2 to 128 lowercase letters, digits, or . _ ~ -"></label>
  <button type="submit">Create organization</button>
</form>
</div>`,
    { script: true },
  );
}

/**
 * Second factor: filled in by `app.js` from `GET /auth/mfa` (TOTP enrolment, TOTP, SMS). The
 * recovery-code form is shown by the script once the member has TOTP (and so recovery codes).
 */
export function mfaPage(ctx: LayoutContext, input: { error?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Two-step verification',
    html`${errorBanner(input.error)}
<p class="muted" id="mfa-org" data-testid="mfa-org" hidden></p>
<section id="mfa" class="card" data-testid="mfa" aria-busy="true"><p class="muted">Loading…</p></section>
<details class="card" id="recovery" data-testid="recovery" hidden>
  <summary>Lost your device? Use a recovery code</summary>
  <form method="post" action="/auth/mfa/recovery" data-testid="recovery-form">
    <label>Recovery code <input name="recovery_code" required autocomplete="off" pattern="[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}" placeholder="xxxx-xxxx-xxxx"></label>
    <button type="submit">Use recovery code</button>
  </form>
</details>`,
    { script: true },
  );
}

/** What the dashboard shows about the signed-in member. */
export interface DashboardView {
  member: { memberId: string; email: string; name: string };
  organization: { id: string; name: string; slug: string; mfaPolicy: string };
  roles: readonly string[];
  factors: readonly string[];
  sessionStartedAt: Date;
  sessionExpiresAt: Date;
  verifiedBy: string;
  /** Other organizations the member can switch to (active memberships). */
  switchTargets: readonly { id: string; name: string; mfaRequired: boolean }[] | undefined;
  /** The email change this member asked for has just completed. */
  emailChanged: boolean;
  /** `?error=` of a failed organization switch. */
  error?: string | undefined;
}

/** The signed-in home page. */
export function dashboardPage(ctx: LayoutContext, view: DashboardView): SafeHtml {
  const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return layout(
    ctx,
    'Dashboard',
    html`${errorBanner(view.error)}${view.emailChanged ? html`<p class="banner ok" data-testid="email-changed">Your email address is now <strong>${view.member.email}</strong>.</p>` : ''}
<section class="card">
  <h2>You</h2>
  <dl>
    <dt>Name</dt><dd data-testid="member-name">${view.member.name || '(not set)'}</dd>
    <dt>Email</dt><dd data-testid="member-email">${view.member.email}</dd>
    <dt>Member id</dt><dd><code>${view.member.memberId}</code></dd>
    <dt>Roles</dt><dd data-testid="roles">${view.roles.map((r) => html`<span class="pill">${r}</span> `)}</dd>
  </dl>
</section>
<section class="card">
  <h2>Organization</h2>
  <dl>
    <dt>Name</dt><dd data-testid="org-name">${view.organization.name}</dd>
    <dt>Slug</dt><dd><code>${view.organization.slug}</code></dd>
    <dt>MFA policy</dt><dd>${view.organization.mfaPolicy}</dd>
  </dl>
</section>
<section class="card">
  <h2>Session</h2>
  <dl>
    <dt>Started</dt><dd>${when(view.sessionStartedAt)}</dd>
    <dt>Expires</dt><dd data-testid="session-expires">${when(view.sessionExpiresAt)}</dd>
    <dt>Factors</dt><dd data-testid="factors">${view.factors.map((f) => html`<span class="pill">${f}</span> `)}</dd>
    <dt>Verified by</dt><dd>${view.verifiedBy}</dd>
  </dl>
</section>
<section class="card" data-testid="switcher">
  <h2>Switch organization</h2>
  ${view.switchTargets === undefined
    ? html`<p class="muted">Your other organizations could not be loaded right now.</p>`
    : view.switchTargets.length === 0
      ? html`<p class="muted">You are not a member of any other organization.</p>`
      : html`<ul class="plain">${view.switchTargets.map(
          (o) => html`<li><form method="post" action="/auth/switch-organization">
  <input type="hidden" name="organization_id" value="${o.id}">
  <button type="submit" data-testid="switch-to" data-org="${o.name}">Switch to ${o.name}</button>${o.mfaRequired ? html` <span class="muted">(two-step verification required)</span>` : ''}
</form></li>`,
        )}</ul>`}
</section>`,
  );
}

/** A document in the in-memory store. */
export interface DocumentView {
  id: string;
  title: string;
  author: string;
  createdAt: Date;
}

/** The documents area, guarded by the custom `documents` resource. Buttons are always shown: the server decides. */
export function documentsPage(ctx: LayoutContext, input: { docs: readonly DocumentView[]; canCreate: boolean; canDelete: boolean; notice?: string | undefined }): SafeHtml {
  return layout(
    ctx,
    'Documents',
    html`${input.notice ? html`<p class="banner ok" data-testid="notice">${input.notice}</p>` : ''}
<p class="muted" data-testid="allowed-actions">Your roles allow: ${['read', input.canCreate && 'create', input.canDelete && 'delete'].filter(Boolean).map((a) => html`<span class="pill">documents:${a}</span> `)}
${input.canCreate && input.canDelete ? '' : '— the other buttons stay visible so you can see the server refuse them.'}</p>
<form class="card inline" method="post" action="/documents" data-testid="create-doc-form">
  <label>Title <input name="title" required maxlength="200"></label>
  <button type="submit">Create document</button>
</form>
${input.docs.length === 0
  ? html`<p class="muted">No documents yet.</p>`
  : html`<table class="list" data-testid="documents"><thead><tr><th>Title</th><th>Author</th><th>Created (UTC)</th><th></th></tr></thead><tbody>${input.docs.map(
      (d) => html`<tr data-testid="document">
  <td>${d.title}</td><td>${d.author}</td><td>${d.createdAt.toISOString().replace('T', ' ').slice(0, 16)}</td>
  <td><form method="post" action="/documents/${encodeURIComponent(d.id)}/delete"><button class="danger" type="submit" data-testid="delete-doc">Delete</button></form></td>
</tr>`,
    )}</tbody></table>`}`,
  );
}

/** Self-serve email change: posts to the library's `POST /auth/email/update`, which redirects back here. */
export function accountPage(
  ctx: LayoutContext,
  input: { email: string; sent: boolean; changed: boolean; passwordChanged?: boolean; error?: string | undefined; security?: AccountSecurityView | undefined },
): SafeHtml {
  return layout(
    ctx,
    'Account',
    html`${errorBanner(input.error)}${input.error && FRESH_FACTOR_CODES.has(input.error)
      ? html`<p class="banner error" data-testid="reverify">This needs a recent sign-in. <a href="/login?return_to=%2Faccount" data-testid="reverify-link">Confirm it is you</a>, then try again.</p>`
      : ''}${input.changed ? html`<p class="banner ok" data-testid="email-changed">Your email address is now <strong>${input.email}</strong>.</p>` : ''}${input.sent
      ? html`<p class="banner ok" data-testid="email-update-sent">We sent a confirmation link to your new address. Your email changes when you open it (valid for 5 minutes).${ctx.devMode ? html` Read it in the <a href="/dev/mailbox">dev mailbox</a>.` : ''}</p>`
      : ''}
<section class="card">
  <h2>Change your email</h2>
  <p>Current address: <strong data-testid="current-email">${input.email}</strong>. We send a confirmation link to the new address; nothing changes until you open it.</p>
  <form method="post" action="/auth/email/update" data-testid="email-update-form">
    <label>New email <input type="email" name="email_address" required autocomplete="email"></label>
    <input type="hidden" name="return_to" value="/account?status=email_update_sent">
    <button type="submit">Send confirmation link</button>
  </form>
</section>
${input.passwordChanged ? html`<p class="banner ok" data-testid="password-changed">Your password was changed.</p>` : ''}
<section class="card">
  <h2>Change your password</h2>
  <p>Enter your current password. Signed in within the last 5 minutes? You may leave it empty (or set a first password).</p>
  <form method="post" action="/auth/password/change" data-testid="password-change-form">
    <label>Current password <input type="password" name="current_password" autocomplete="current-password" maxlength="256"></label>
    <label>New password <input type="password" name="new_password" required autocomplete="new-password" maxlength="256" data-strength="change-strength-feedback"></label>
    <p class="muted" id="change-strength-feedback" data-testid="change-strength-feedback" aria-live="polite"></p>
    <input type="hidden" name="return_to" value="/account?status=password_changed">
    <button type="submit">Change password</button>
  </form>
</section>
${input.security ? accountSecurity(input.security) : html`<p class="muted">Your sign-in factors and sessions could not be loaded right now.</p>`}`,
    { script: true },
  );
}

/** What the account page shows from the admin routes' `GET /me` and `GET /me/sessions`. */
export interface AccountSecurityView {
  /** The admin routes' mount point, e.g. `/api/org`. */
  api: string;
  factors: { phone: string | null; totp: boolean; password: boolean; recovery_codes: boolean; default_mfa_method: string };
  sessions: readonly { member_session_id: string; started_at: string; last_accessed_at: string; expires_at: string; current: boolean; factors: readonly string[] }[];
  /** `?status=` the last form came back with. */
  status?: string | undefined;
}

/** The refusals that a fresh sign-in cures (the account page then links to one). */
const FRESH_FACTOR_CODES = new Set(['recent_factor_required', 'step_up_required']);

/**
 * The member's own factors, recovery codes and sessions. Removing a factor or showing recovery
 * codes needs a factor proven in the last few minutes: when the route says so, the account page
 * links to signing in again, which brings the member back here.
 */
function accountSecurity(view: AccountSecurityView): SafeHtml {
  const me = `${view.api}/me`;
  const when = (iso: string) => iso.replace('T', ' ').slice(0, 16) + ' UTC';
  const form = (action: string, method: string, testid: string, body: SafeHtml, extra: SafeHtml | string = '') =>
    html`<form method="post" action="${action}" data-api data-method="${method}" data-testid="${testid}"${extra}><input type="hidden" name="return_to" value="/account?status=factor_saved">${body}</form>`;
  return html`${view.status === 'factor_saved' ? html`<p class="banner ok" data-testid="factor-saved">Saved.</p>` : ''}
<section class="card" data-testid="my-factors">
  <h2>Sign-in factors</h2>
  <dl>
    <dt>Phone (SMS codes)</dt><dd data-testid="my-phone">${view.factors.phone ?? html`<span class="muted">none</span>`}</dd>
    <dt>Authenticator app</dt><dd data-testid="my-totp">${view.factors.totp ? 'set up' : html`<span class="muted">none</span>`}</dd>
    <dt>Password</dt><dd data-testid="my-password">${view.factors.password ? 'set' : html`<span class="muted">none</span>`}</dd>
    <dt>Default method</dt><dd data-testid="my-default-mfa">${view.factors.default_mfa_method || html`<span class="muted">none</span>`}</dd>
  </dl>
  <div class="actions">
  ${view.factors.phone ? form(`${me}/mfa/phone`, 'DELETE', 'remove-my-phone', html`<button type="submit" class="secondary">Remove phone</button>`) : ''}
  ${view.factors.totp ? form(`${me}/mfa/totp`, 'DELETE', 'remove-my-totp', html`<button type="submit" class="secondary">Remove authenticator app</button>`) : ''}
  ${view.factors.phone && view.factors.totp
    ? form(
        me,
        'PATCH',
        'default-mfa-form',
        html`<label>Use first <select name="default_mfa_method">${['sms_otp', 'totp'].map((m) => html`<option value="${m}"${m === view.factors.default_mfa_method ? html` selected` : ''}>${m === 'totp' ? 'authenticator app' : 'text message'}</option>`)}</select></label><button type="submit">Save</button>`,
      )
    : ''}
  </div>
</section>
${view.factors.recovery_codes
  ? html`<section class="card" data-testid="my-recovery-codes">
  <h2>Recovery codes</h2>
  <p>Each code signs you in once when your authenticator app is not at hand. They are shown only on request, once per recent sign-in.</p>
  ${form(`${me}/recovery-codes`, 'POST', 'show-recovery-codes', html`<button type="submit" class="secondary">Show my recovery codes</button>`, html` data-reveal="recovery-codes"`)}
  ${form(`${me}/recovery-codes/rotate`, 'POST', 'rotate-recovery-codes', html`<button type="submit" class="secondary">Replace them with new codes</button>`, html` data-reveal="recovery-codes"`)}
  <div id="recovery-codes" data-testid="recovery-codes" hidden></div>
</section>`
  : ''}
<section class="card" data-testid="my-sessions">
  <h2>Your sessions</h2>
  <table class="list"><thead><tr><th>Started</th><th>Last used</th><th>Expires</th><th>Factors</th></tr></thead><tbody>${view.sessions.map(
    (s) => html`<tr data-testid="my-session"${s.current ? html` data-current="true"` : ''}><td>${when(s.started_at)}${s.current ? html` <span class="pill">this browser</span>` : ''}</td><td>${when(s.last_accessed_at)}</td><td>${when(s.expires_at)}</td><td>${s.factors.map((f) => html`<span class="pill">${f}</span> `)}</td></tr>`,
  )}</tbody></table>
  <form method="post" action="${me}/sessions/revoke-all" data-api data-method="POST" data-testid="sign-out-everywhere">
    <input type="hidden" name="return_to" value="/login">
    <p>Lost a device, or signed in somewhere you should not have? This signs you out of every browser and app, this one included.</p>
    <button type="submit" class="danger">Sign out everywhere</button>
  </form>
</section>`;
}

/** An error page for navigations (403, 404, 500, 503). Shows a stable code, never a stack or a token. */
export function errorPage(ctx: LayoutContext, input: { status: number; code: string; title: string; message: string }): SafeHtml {
  return layout(
    ctx,
    input.title,
    html`<section class="card error" data-testid="error-page" data-status="${input.status}">
  <p>${input.message}</p>
  <p class="muted">HTTP ${input.status} · <code data-testid="error-code">${input.code}</code></p>
  <p><a href="/dashboard">Back to the dashboard</a></p>
</section>`,
  );
}

/** What `GET /auth/organizations/login-methods` says one organization allows. */
export interface OrganizationLoginView {
  organizationId: string;
  organizationName: string;
  magicLink: boolean;
  password: boolean;
  sso: readonly { displayName: string; identityProvider: string; startUrl: string | null }[];
  oauth: readonly { provider: string; startUrl: string | null }[];
}

/** "Sign in to Acme": only the methods the organization allows, each signing in straight into it. */
export function organizationLoginPage(ctx: LayoutContext, org: OrganizationLoginView, input: { error?: string | undefined }): SafeHtml {
  const sso = org.sso.filter((c) => c.startUrl !== null);
  const oauth = org.oauth.filter((p) => p.startUrl !== null);
  const nothing = !org.magicLink && !org.password && sso.length === 0 && oauth.length === 0;
  return layout(
    ctx,
    `Sign in to ${org.organizationName}`,
    html`${errorBanner(input.error)}
<section class="card" data-testid="org-login" data-org="${org.organizationName}">
${sso.map((c) => html`<p><a class="button" href="${c.startUrl ?? ''}" data-testid="org-sso" data-connection="${c.displayName}">Sign in with SSO (${c.displayName || c.identityProvider})</a></p>`)}
${oauth.map((p) => html`<p><a class="button" href="${p.startUrl ?? ''}" data-testid="org-oauth" data-provider="${p.provider}">Sign in with ${PROVIDER_NAMES[p.provider] ?? p.provider}</a></p>`)}
${org.magicLink
  ? html`<form method="post" action="/auth/login/email" data-testid="org-email-form">
  <input type="hidden" name="organization_id" value="${org.organizationId}">
  <label>Work email <input type="email" name="email_address" required autocomplete="email"></label>
  <button type="submit">Email me a sign-in link</button>
</form>`
  : ''}
${org.password
  ? html`<form method="post" action="/auth/login/password" data-testid="org-password-form">
  <input type="hidden" name="organization_id" value="${org.organizationId}">
  <label>Work email <input type="email" name="email_address" required autocomplete="email"></label>
  <label>Password <input type="password" name="password" required autocomplete="current-password" maxlength="256"></label>
  <button type="submit">Sign in with a password</button>
</form>`
  : ''}
${nothing ? html`<p class="muted" data-testid="org-no-methods">This organization allows no sign-in method this app offers. Ask an admin.</p>` : ''}
</section>
<p class="muted"><a href="/login">Not your organization? Sign in here.</a></p>`,
  );
}

/** A SAML connection as the SSO admin page shows it. */
export interface SsoConnectionView {
  connectionId: string;
  displayName: string;
  status: string;
  idpSsoUrl: string;
  idpEntityId: string;
  isDefault: boolean;
}

/** The organization's SAML connections: create one, edit the IdP settings of each (needs `stytch.sso`). */
export function ssoAdminPage(ctx: LayoutContext, input: { connections: readonly SsoConnectionView[]; certificateHint: string; notice?: string | undefined; error?: string | undefined }): SafeHtml {
  const fields = (c?: SsoConnectionView) => html`<label>Display name <input name="display_name" maxlength="256" value="${c?.displayName ?? ''}" required></label>
  <label>IdP SSO URL <input type="url" name="idp_sso_url" maxlength="2048" value="${c?.idpSsoUrl ?? ''}" placeholder="https://idp.example.com/saml/sso"></label>
  <label>IdP entity id <input name="idp_entity_id" maxlength="2048" value="${c?.idpEntityId ?? ''}" placeholder="https://idp.example.com/entity"></label>
  <label>IdP signing certificate (PEM, optional) <textarea name="x509_certificate" rows="3" maxlength="8192"></textarea></label>`;
  return layout(
    ctx,
    'Single sign-on',
    html`${errorBanner(input.error)}${input.notice ? html`<p class="banner ok" data-testid="notice">${input.notice}</p>` : ''}
<p class="muted">${input.certificateHint}</p>
${input.connections.length === 0 ? html`<p class="muted" data-testid="no-connections">No SAML connection yet.</p>` : ''}
${input.connections.map(
  (c) => html`<section class="card" data-testid="sso-connection" data-connection="${c.displayName}" data-status="${c.status}">
  <h2>${c.displayName || '(unnamed)'} <span class="pill">${c.status}</span>${c.isDefault ? html` <span class="pill">default</span>` : ''}</h2>
  <p class="muted"><code>${c.connectionId}</code></p>
  <form method="post" action="/admin/sso/${encodeURIComponent(c.connectionId)}" data-testid="sso-edit-form">
  ${fields(c)}
  <button type="submit">Save</button>
  </form>
</section>`,
)}
<section class="card">
  <h2>New SAML connection</h2>
  <form method="post" action="/admin/sso" data-testid="sso-create-form">
  ${fields()}
  <button type="submit">Create connection</button>
  </form>
</section>`,
  );
}
