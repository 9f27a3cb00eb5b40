import { html, type HtmlValue, type SafeHtml } from './html.js';

/** What the page chrome needs to know about the visitor. */
export interface LayoutContext {
  /** Signed-in visitor: shows the navigation and the sign-out button. */
  member?: { email: string; organizationSlug: string } | undefined;
  /** Emulator mode: shows the link to the dev mailbox. */
  devMode: boolean;
}

/** Wraps a page body in the document chrome. All scripts and styles are same-origin files (strict CSP). */
export function layout(ctx: LayoutContext, title: string, body: HtmlValue, options: { script?: boolean } = {}): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Docs Hub</title>
<link rel="stylesheet" href="/static/style.css">
${options.script ? html`<script src="/static/app.js" defer></script>` : ''}
</head>
<body>
<header class="top">
  <a class="brand" href="/">Docs Hub</a>
  ${ctx.member
    ? html`<nav>
    <a href="/dashboard">Dashboard</a>
    <a href="/documents">Documents</a>
    <a href="/members">Members</a>
    <a href="/account">Account</a>
  </nav>
  <div class="who">
    <span class="org" data-testid="current-org">${ctx.member.organizationSlug}</span>
    <span class="email">${ctx.member.email}</span>
    <form method="post" action="/auth/logout"><button class="link" type="submit" data-testid="logout">Sign out</button></form>
  </div>`
    : ''}
  ${ctx.devMode ? html`<a class="dev" href="/dev/mailbox">Dev mailbox</a>` : ''}
</header>
<main>
<h1>${title}</h1>
${body}
</main>
<footer>Example app for <code>stytch-b2b-express</code>${ctx.devMode ? ' · running against the local Stytch emulator' : ''}</footer>
</body>
</html>
`;
}

// Friendlier words for the codes the auth routes put in `?error=`; anything else shows the code itself.
const ERROR_TEXT: Record<string, string> = {
  invalid_email: 'That does not look like an email address.',
  invalid_code: 'Codes are 6 digits.',
  invalid_recovery_code: 'Recovery codes look like xxxx-xxxx-xxxx.',
  otp_code_not_found: 'That code is wrong or has expired.',
  totp_code_already_authenticated: 'That code was used already; wait for the next one.',
  intermediate_session_missing: 'Your sign-in expired. Please start again.',
  intermediate_session_not_found: 'Your sign-in expired. Please start again.',
  magic_link_not_found: 'That link was used already or has expired.',
  pkce_expected_code_verifier: 'Open the link in the browser where you asked for it.',
  unauthenticated: 'Please sign in.',
  csrf_rejected: 'The request came from another site and was refused.',
  too_many_requests: 'Too many attempts. Wait a moment and try again.',
  upstream_unavailable: 'Sign-in is unavailable right now. Please try again shortly.',
  invalid_credentials: 'The email address or password is incorrect.',
  invalid_password: 'Enter a password (at most 256 characters).',
  member_reset_password: 'This password must be reset: use "Forgot your password?".',
  weak_password: 'That password is too easy to guess. Choose a longer or less common one.',
  breached_password: 'That password has appeared in a data breach. Choose another one.',
  password_reset_not_pending: 'Open the password reset link from your email again.',
  unable_to_auth_password_reset_token: 'That reset link was used already or has expired. Ask for a new one.',
  unable_to_auth_otp_code: 'That code was used already or has expired.',
  step_up_required: 'For this change, enter your current password (or sign in again first).',
  too_many_attempts: 'Too many attempts. Wait a few minutes and try again.',
};

/** A banner for `?error=<code>` redirects from the auth routes. The code is shown as text, never as markup. */
export function errorBanner(code: string | undefined): HtmlValue {
  if (!code) return '';
  const text = Object.hasOwn(ERROR_TEXT, code) ? ERROR_TEXT[code] : 'Something went wrong. Please try again.';
  return html`<p class="banner error" role="alert" data-testid="error-banner">${text} <code class="muted">${code}</code></p>`;
}
