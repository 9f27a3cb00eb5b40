/**
 * The member-management pages: members, the organization's settings, M2M clients. They show what
 * the library's admin routes (`stytchAdminRoutes()`, mounted under `api` below) answer, and their
 * forms go back to those routes. A form with `data-api` is sent by `public/app.js` as JSON in the
 * method the route takes (`data-method`: PUT, PATCH and DELETE are beyond what an HTML form can
 * send); it then returns to the form's `return_to`, with `?error=<code>` when the route refused.
 *
 * Which controls a page shows is decided by the server from the member's permissions (`can`);
 * the routes check again (and so does Stytch), so a hidden button is convenience, not security.
 */
// The answers of the library's admin routes, as the library types them.
export type { AdminMemberView, AdminOrganizationView } from '../../../src/index.js';
import type { AdminMemberView, AdminOrganizationView } from '../../../src/index.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { errorBanner, layout, type LayoutContext } from './layout.js';

/** What the signed-in member may do on the members page (their `stytch.member` permissions). */
export interface MemberControls {
  invite: boolean;
  updateRoles: boolean;
  deactivate: boolean;
  reactivate: boolean;
  removePhone: boolean;
  removeTotp: boolean;
}

/** A role of the RBAC policy that can be assigned (not the implicit `stytch_member`). */
export interface RoleOption {
  id: string;
  description: string;
}

const STATUSES = ['active', 'invited', 'deleted', 'pending'] as const;

/** `<form data-api>`: sent by app.js with `method`; comes back to `returnTo`. */
function apiForm(action: string, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', returnTo: string, testid: string, body: HtmlValue, className = ''): SafeHtml {
  return html`<form method="post" action="${action}" data-api data-method="${method}" data-testid="${testid}"${className ? html` class="${className}"` : ''}>
  <input type="hidden" name="return_to" value="${returnTo}">
  ${body}
</form>`;
}

/**
 * The role checkboxes. Everyone holds `stytch_member`; an edit always sends it along, so taking
 * every other role away leaves a plain member rather than an empty list (`roles_required`).
 */
function roleBoxes(roles: readonly RoleOption[], checked: readonly string[], testid: string, sendMember: boolean): SafeHtml {
  return html`<fieldset class="roles" data-testid="${testid}"><legend>Roles</legend>
  <label class="check"><input type="checkbox" checked disabled> stytch_member <span class="muted">(everyone)</span></label>${sendMember ? html`<input type="hidden" name="roles" value="stytch_member" data-list>` : ''}
  ${roles.map((r) => html`<label class="check" title="${r.description}"><input type="checkbox" name="roles" value="${r.id}" data-list${checked.includes(r.id) ? html` checked` : ''}> ${r.id}</label>`)}
</fieldset>`;
}

/** The members of the organization: search, invite, and per member the actions the viewer may take. */
export function membersPage(
  ctx: LayoutContext,
  input: {
    api: string;
    members: readonly AdminMemberView[];
    total: number;
    query: string;
    status: string;
    roles: readonly RoleOption[];
    can: MemberControls;
    notice?: string | undefined;
    error?: string | undefined;
  },
): SafeHtml {
  const { api, can } = input;
  const back = '/members';
  const member = (m: AdminMemberView) => {
    const at = `${api}/members/${encodeURIComponent(m.member_id)}`;
    const actions: SafeHtml[] = [];
    if (m.status === 'invited' && can.invite) {
      actions.push(apiForm(`${at}/resend-invite`, 'POST', `${back}?status=resent`, 'resend-invite', html`<button type="submit" class="secondary">Resend invitation</button>`));
    }
    if (m.status === 'invited' && can.deactivate) {
      actions.push(apiForm(at, 'DELETE', `${back}?status=removed`, 'remove-member', html`<button type="submit" class="danger">Revoke invitation</button>`));
    }
    if (m.status === 'active' && can.updateRoles) {
      actions.push(apiForm(`${at}/roles`, 'PUT', `${back}?status=roles_saved`, 'roles-form', html`${roleBoxes(input.roles, m.roles, 'role-options', true)}<button type="submit">Save roles</button>`));
    }
    if (m.status === 'active' && can.removePhone && m.mfa_phone_number) {
      actions.push(apiForm(`${at}/mfa/phone`, 'DELETE', `${back}?status=mfa_reset`, 'reset-phone', html`<button type="submit" class="secondary">Remove MFA phone</button>`));
    }
    if (m.status === 'active' && can.removeTotp && m.has_totp) {
      actions.push(apiForm(`${at}/mfa/totp`, 'DELETE', `${back}?status=mfa_reset`, 'reset-totp', html`<button type="submit" class="secondary">Remove authenticator app</button>`));
    }
    if (m.status === 'active' && can.deactivate) {
      actions.push(apiForm(`${at}/deactivate`, 'POST', `${back}?status=deactivated`, 'deactivate', html`<button type="submit" class="danger">Deactivate</button>`));
    }
    if (m.status === 'deleted' && can.reactivate) {
      actions.push(apiForm(`${at}/reactivate`, 'POST', `${back}?status=reactivated`, 'reactivate', html`<button type="submit">Reactivate</button>`));
    }
    return html`<tr data-testid="member" data-email="${m.email_address}" data-status="${m.status}">
  <td>${m.email_address}<br><span class="muted">${m.name}</span></td>
  <td><span class="pill" data-testid="member-status">${m.status}</span></td>
  <td data-testid="member-roles">${m.roles.map((r) => html`<span class="pill">${r}</span> `)}</td>
  <td data-testid="member-mfa">${[m.mfa_phone_number ? `phone ${m.mfa_phone_number}` : '', m.has_totp ? 'authenticator app' : ''].filter(Boolean).join(', ') || html`<span class="muted">none</span>`}</td>
  <td>${actions.length > 0 ? html`<details data-testid="member-actions"><summary>Manage</summary><div class="actions">${actions}</div></details>` : ''}</td>
</tr>`;
  };
  return layout(
    ctx,
    'Members',
    html`${errorBanner(input.error)}${input.notice ? html`<p class="banner ok" data-testid="notice">${input.notice}</p>` : ''}
<form class="card inline" method="get" action="/members" data-testid="member-search">
  <label>Email contains <input type="search" name="q" value="${input.query}" minlength="3" maxlength="254" placeholder="at least 3 characters"></label>
  <label>Show <select name="show"><option value="">current (not deactivated)</option>${STATUSES.map((s) => html`<option value="${s}"${input.status === s ? html` selected` : ''}>${s === 'deleted' ? 'deactivated' : s}</option>`)}</select></label>
  <button type="submit">Search</button>
</form>
${can.invite
  ? html`<section class="card"><h2>Invite a teammate</h2>${apiForm(
      `${api}/members/invite`,
      'POST',
      `${back}?status=invited`,
      'invite-form',
      html`<label>Email <input type="email" name="email_address" required autocomplete="off" maxlength="254"></label>
  <label>Name <span class="muted">(optional)</span> <input name="name" maxlength="256" autocomplete="off"></label>
  ${roleBoxes(input.roles, [], 'invite-roles', false)}
  <button type="submit">Send invitation</button>`,
    )}</section>`
  : html`<p class="muted" data-testid="read-only">You can see the members of this organization; your roles do not let you change them.</p>`}
<p class="muted" data-testid="member-total">${input.total} member${input.total === 1 ? '' : 's'}${input.query || input.status ? ' match' : ''}.</p>
<table class="list" data-testid="members"><thead><tr><th>Member</th><th>Status</th><th>Roles</th><th>MFA</th><th></th></tr></thead><tbody>${input.members.map(member)}</tbody></table>`,
    { script: true },
  );
}

/** Which settings the viewer may change, one `stytch.organization` action each. */
export interface OrganizationControls {
  name: boolean;
  slug: boolean;
  mfaPolicy: boolean;
  mfaMethods: boolean;
  domains: boolean;
  jit: boolean;
  invites: boolean;
  authMethods: boolean;
}

const MFA_METHODS = ['sms_otp', 'totp'] as const;
const AUTH_METHODS = ['magic_link', 'email_otp', 'password', 'sso', 'google_oauth', 'microsoft_oauth', 'github_oauth'] as const;

function select(name: string, value: string, options: readonly string[], enabled: boolean): SafeHtml {
  return html`<select name="${name}"${enabled ? '' : html` disabled`}>${options.map((o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o}</option>`)}</select>`;
}

function checks(name: string, values: readonly string[], options: readonly string[], enabled: boolean): SafeHtml {
  return html`${options.map((o) => html`<label class="check"><input type="checkbox" name="${name}" value="${o}" data-list${values.includes(o) ? html` checked` : ''}${enabled ? '' : html` disabled`}> ${o}</label>`)}`;
}

/**
 * The organization's settings. One form, sent as `PATCH /organization` with the fields the viewer
 * may change (a disabled field is not sent, so a read-only setting is never "changed" to itself).
 */
export function organizationPage(ctx: LayoutContext, input: { api: string; organization: AdminOrganizationView; can: OrganizationControls; notice?: string | undefined; error?: string | undefined }): SafeHtml {
  const { organization: o, can } = input;
  const off = (enabled: boolean) => (enabled ? '' : html` disabled`);
  return layout(
    ctx,
    'Organization settings',
    html`${errorBanner(input.error)}${input.notice ? html`<p class="banner ok" data-testid="notice">${input.notice}</p>` : ''}
${apiForm(
  `${input.api}/organization`,
  'PATCH',
  '/admin/organization?status=saved',
  'organization-form',
  html`<section>
  <h2>Name and address</h2>
  <label>Name <input name="organization_name" value="${o.organization_name}" required maxlength="128"${off(can.name)}></label>
  <label>Slug <input name="organization_slug" value="${o.organization_slug}" required maxlength="128"${off(can.slug)}></label>
</section>
<section>
  <h2>Two-step verification</h2>
  <label>MFA policy ${select('mfa_policy', o.mfa_policy, ['OPTIONAL', 'REQUIRED_FOR_ALL'], can.mfaPolicy)}</label>
  <label>MFA methods ${select('mfa_methods', o.mfa_methods, ['ALL_ALLOWED', 'RESTRICTED'], can.mfaMethods)}</label>
  <fieldset data-testid="allowed-mfa-methods"><legend>Allowed when restricted</legend>${checks('allowed_mfa_methods', o.allowed_mfa_methods, MFA_METHODS, can.mfaMethods)}</fieldset>
</section>
<section>
  <h2>Joining by email</h2>
  <label>Allowed email domains <span class="muted">(comma-separated)</span> <input name="email_allowed_domains" data-list value="${o.email_allowed_domains.join(', ')}" maxlength="2048"${off(can.domains)}></label>
  <label>Email JIT provisioning ${select('email_jit_provisioning', o.email_jit_provisioning, ['RESTRICTED', 'NOT_ALLOWED'], can.jit)}</label>
  <label>Email invitations ${select('email_invites', o.email_invites, ['ALL_ALLOWED', 'RESTRICTED', 'NOT_ALLOWED'], can.invites)}</label>
</section>
<section>
  <h2>Sign-in methods</h2>
  <label>Authentication methods ${select('auth_methods', o.auth_methods, ['ALL_ALLOWED', 'RESTRICTED'], can.authMethods)}</label>
  <fieldset data-testid="allowed-auth-methods"><legend>Allowed when restricted</legend>${checks('allowed_auth_methods', o.allowed_auth_methods, AUTH_METHODS, can.authMethods)}</fieldset>
</section>
<button type="submit">Save settings</button>`,
  'card',
)}
<p class="muted"><code>${o.organization_id}</code></p>`,
    { script: true },
  );
}

/** An M2M client as the M2M page lists it (never its secret). */
export interface M2MClientView {
  clientId: string;
  name: string;
  scopes: readonly string[];
  status: string;
  secretLastFour: string;
}

/**
 * The organization's M2M clients, and a form to create one. `created` is the client made just
 * now, with its secret: shown on this one page load, then never again.
 */
export function m2mPage(
  ctx: LayoutContext,
  input: {
    clients: readonly M2MClientView[];
    scopes: readonly string[];
    tokenUrl: string;
    canCreate: boolean;
    created?: { clientId: string; secret: string } | undefined;
    /** A client was created, but its secret was already shown. */
    shown?: boolean;
    error?: string | undefined;
  },
): SafeHtml {
  return layout(
    ctx,
    'M2M clients',
    html`${errorBanner(input.error)}
${input.created
  ? html`<section class="card" data-testid="m2m-secret-card">
  <p class="banner ok">Client created. Copy its secret now: it is shown this once and never again.</p>
  <dl>
    <dt>Client id</dt><dd><code data-testid="m2m-new-client-id">${input.created.clientId}</code></dd>
    <dt>Client secret</dt><dd><code class="secret" data-testid="m2m-secret">${input.created.secret}</code></dd>
    <dt>Token URL</dt><dd><code>${input.tokenUrl}</code></dd>
  </dl>
</section>`
  : input.shown
    ? html`<p class="banner ok" data-testid="m2m-secret-gone">Client created. Its secret was shown once and is not kept here; if it was lost, create a new client.</p>`
    : ''}
<p class="muted">Machine clients call <code>/api/documents</code> with an access token from the token URL (client-credentials grant). A client made here acts in this organization only; this page lists the ones made from it.</p>
${input.clients.length === 0
  ? html`<p class="muted" data-testid="no-m2m-clients">No M2M client yet.</p>`
  : html`<table class="list" data-testid="m2m-clients"><thead><tr><th>Name</th><th>Client id</th><th>Scopes</th><th>Secret</th></tr></thead><tbody>${input.clients.map(
      (c) => html`<tr data-testid="m2m-client" data-name="${c.name}" data-status="${c.status}"><td>${c.name}</td><td><code>${c.clientId}</code></td><td>${c.scopes.map((s) => html`<span class="pill">${s}</span> `)}</td><td class="muted">…${c.secretLastFour}</td></tr>`,
    )}</tbody></table>`}
${input.canCreate
  ? html`<section class="card">
  <h2>New M2M client</h2>
  <form method="post" action="/admin/m2m" data-testid="m2m-create-form">
    <label>Name <input name="client_name" required maxlength="128" autocomplete="off"></label>
    <fieldset><legend>Scopes</legend>${input.scopes.map((s) => html`<label class="check"><input type="checkbox" name="scopes" value="${s}"> ${s}</label>`)}</fieldset>
    <button type="submit">Create client</button>
  </form>
</section>`
  : ''}`,
  );
}
