import { html, type HtmlValue, type SafeHtml } from './html.js';
import { ERROR_MESSAGES, errorMessage } from './messages.js';

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
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
${options.script ? html`${messagesData()}<script src="/static/app.js" defer></script>` : ''}
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
    <a href="/admin/organization">Organization</a>
    <a href="/admin/sso">SSO</a>
    <a href="/admin/m2m">M2M</a>
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

/** A banner for `?error=<code>` redirects from the auth routes. The code is shown as text, never as markup. */
export function errorBanner(code: string | undefined): HtmlValue {
  if (!code) return '';
  return html`<p class="banner error" role="alert" data-testid="error-banner">${errorMessage(code)} <code class="muted">${code}</code></p>`;
}

/**
 * The messages for `public/app.js` (which shows the JSON errors of the auth routes), as JSON in
 * an attribute: escaped like any other value, and never run.
 */
function messagesData(): SafeHtml {
  return html`<template id="error-messages" data-messages="${JSON.stringify(ERROR_MESSAGES)}"></template>`;
}
