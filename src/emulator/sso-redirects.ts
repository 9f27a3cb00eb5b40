/**
 * Redirect URLs of the public start endpoints. Stytch only redirects to URLs configured in the
 * Dashboard (addendum A3.2, A4.1). The emulator's allowlist: any http(s) URL on a loopback host
 * (apps under test listen on ephemeral ports, so their URLs cannot be listed ahead of time), the
 * emulator's `redirectUrls`, and its `allowedRedirectUrls` option. Matching ignores the query
 * (Stytch's redirect-URL guide allows extra query parameters), or with `exactRedirectUrls`
 * compares the whole URL (its URL-validation reference), loopback URLs then only bare.
 */
import { badRequest } from './http-errors.js';
import type { EmulatorState } from './state.js';

/** Whether a URL's host is `localhost`, `*.localhost`, `127.0.0.0/8` or `::1`. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The error names Stytch uses per flow and URL kind (addendum A3.2, A4.1). */
export interface RedirectErrors {
  /** A URL that is not an absolute http(s) URL. */
  invalid: string;
  /** A valid URL that is not on the allowlist. */
  notAllowed: string;
}

/**
 * The redirect URL to use: the one given (checked against the allowlist) or the emulator's
 * default of that kind.
 */
export function checkRedirectUrl(state: EmulatorState, given: string | undefined, fallback: string, field: string, errors: RedirectErrors): string {
  if (given === undefined || given === '') return fallback;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw badRequest(errors.invalid, `The ${field} is not a valid absolute URL.`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest(errors.invalid, `The ${field} must be an http(s) URL.`, { field });
  if (url.username !== '' || url.password !== '') throw badRequest(errors.invalid, `The ${field} must not carry credentials.`, { field });
  const { redirectUrls, allowedRedirectUrls, exactRedirectUrls } = state.settings;
  const comparable = (u: URL): string => (exactRedirectUrls ? u.toString() : withoutQuery(u));
  const listed = [...Object.values(redirectUrls), ...allowedRedirectUrls].some((allowed) => {
    try {
      return comparable(new URL(allowed)) === comparable(url);
    } catch {
      return false;
    }
  });
  if (!listed && !(isLoopbackUrl(url) && (!exactRedirectUrls || url.search === ''))) {
    throw badRequest(errors.notAllowed, `The ${field} does not match a redirect URL configured for this project.`, { field });
  }
  return given;
}

/** `redirect` with `stytch_token_type` and `token` appended, keeping its own query (reference 5.1). */
export function redirectWithToken(redirect: string, tokenType: string, token: string): string {
  const url = new URL(redirect);
  url.searchParams.set('stytch_token_type', tokenType);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * The magic-link sends' redirect URLs under `exactRedirectUrls` (without it they are not checked,
 * as before). Stytch's error names for these calls were not found; these are the emulator's [INF].
 */
export const MAGIC_LINK_URL_ERRORS: RedirectErrors = { invalid: 'invalid_redirect_url', notAllowed: 'redirect_url_not_allowed' };

/** `given` checked like {@link checkRedirectUrl} when the emulator matches exactly; else as given. */
export function checkSendRedirectUrl(state: EmulatorState, given: string | undefined, fallback: string, field: string): string {
  if (!state.settings.exactRedirectUrls) return given ?? fallback;
  return checkRedirectUrl(state, given, fallback, field, MAGIC_LINK_URL_ERRORS);
}
