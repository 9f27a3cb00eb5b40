/**
 * The built-in identity-provider page: a plain HTML form where a test (or a person) picks the
 * identity the "IdP" asserts. No script, no external resources; every value is HTML-escaped.
 */
import type { PageResponse } from './router.js';
import type { IdpFlow } from './sso-types.js';

/** OAuth providers whose login verifies the email address (reference 5.5). */
export const EMAIL_VERIFYING_PROVIDERS = new Set(['google', 'microsoft']);
/** Providers whose users belong to a tenant (Slack workspace, HubSpot hub, GitHub organization). */
export const TENANT_PROVIDERS = new Set(['slack', 'hubspot', 'github']);

const PROVIDER_NAMES: Record<string, string> = { google: 'Google', microsoft: 'Microsoft', hubspot: 'HubSpot', slack: 'Slack', github: 'GitHub' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Security headers of every page the emulator serves. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function field(id: string, label: string, input: string, hint?: string): string {
  const hintHtml = hint ? `<p id="${id}-hint" class="hint">${escapeHtml(hint)}</p>` : '';
  return `<div class="field"><label for="${id}">${escapeHtml(label)}</label>${input}${hintHtml}</div>`;
}

/** Renders the IdP page of a flow; the form posts to `action`. */
export function renderIdpPage(flow: IdpFlow, action: string, context: { organizationName?: string; connectionName?: string }): PageResponse {
  const provider = flow.provider ?? '';
  const who = flow.kind === 'sso' ? `SSO connection ${context.connectionName || flow.connection_id || ''}` : `${PROVIDER_NAMES[provider] ?? provider} OAuth`;
  const title = `Emulated identity provider: ${who}`;
  const fields: string[] = [
    field('email_address', 'Email address', '<input id="email_address" name="email_address" type="email" autocomplete="email" required>'),
    field('name', 'Full name', '<input id="name" name="name" type="text" autocomplete="name">'),
  ];
  if (flow.kind !== 'sso') {
    const verifies = EMAIL_VERIFYING_PROVIDERS.has(provider);
    fields.push(
      `<div class="field"><input id="email_verified" name="email_verified" type="checkbox" value="true"${verifies ? ' checked' : ''} aria-describedby="email_verified-hint">` +
        `<label for="email_verified">The provider verified this email address</label>` +
        `<p id="email_verified-hint" class="hint">${verifies ? 'Untick to act like a Google account without a hosted domain.' : `${escapeHtml(PROVIDER_NAMES[provider] ?? provider)} does not verify emails: the login will need a second primary factor either way.`}</p></div>`,
    );
    if (TENANT_PROVIDERS.has(provider)) {
      fields.push(field('tenant_id', 'Tenant id (workspace, hub or organization)', '<input id="tenant_id" name="tenant_id" type="text" aria-describedby="tenant_id-hint">', 'Optional. Matched against the organization\'s allowed OAuth tenants.'));
    }
  }
  const details: string[] = [];
  if (context.organizationName) details.push(`Organization: ${context.organizationName}`);
  if (flow.scopes.length > 0) details.push(`Requested scopes: ${flow.scopes.join(' ')}`);
  for (const [k, v] of Object.entries(flow.provider_params)) details.push(`Provider parameter ${k}: ${v}`);
  const detailHtml = details.length > 0 ? `<ul>${details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}.field{margin:1rem 0}label{display:block;font-weight:600}input[type=checkbox]+label{display:inline;font-weight:400}input[type=email],input[type=text]{width:100%;padding:.4rem;font-size:1rem}.hint{margin:.25rem 0;color:#444;font-size:.9rem}button{padding:.5rem 1.2rem;font-size:1rem}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>This page stands in for the identity provider. Choose the identity it asserts.</p>
${detailHtml}
<form method="post" action="${escapeHtml(action)}">
${fields.join('\n')}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
  return { status: 200, headers: PAGE_HEADERS, body };
}

/** A 303 See Other to `location` (the browser follows it with a GET). */
export function seeOther(location: string): PageResponse {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Redirecting</title></head><body><p><a href="${escapeHtml(location)}">Continue</a></p></body></html>\n`;
  return { status: 303, headers: { ...PAGE_HEADERS, location }, body };
}
