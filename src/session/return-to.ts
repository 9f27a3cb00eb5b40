/**
 * Same-origin `return_to` validation. Pure: no Express, no URL of the running server.
 *
 * The rule is an allow list, not a block list: a value is accepted only when it is a plain
 * origin-relative path (`/a/b?c=d#e`) made of printable ASCII, and every decoded spelling of it
 * is still such a path. Anything else (absolute URLs, scheme-relative `//host`, backslashes that
 * browsers treat as slashes, percent-encoded slashes or dots, control characters that browsers
 * strip, full-width look-alikes that NFKC folds into `/` or `.`) falls back to the default.
 */

/** Longest return_to we accept; longer values are almost certainly abuse and bloat cookies. */
const MAX_RETURN_TO_LENGTH = 2048;

/** How many rounds of percent-decoding we inspect (double and triple encoding tricks). */
const MAX_DECODE_ROUNDS = 3;

/** Printable ASCII without space: the only characters allowed in the raw value. */
const RAW_ALLOWED = /^[\x21-\x7e]+$/;

/** Characters that must never appear in any decoded spelling. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_DECODED = /[\x00-\x20\x7f\\]|[\u0080-\u009f]|[\u2028\u2029\ufeff\u200b-\u200f]/;

/**
 * Return `value` when it is a safe same-origin relative path, otherwise `fallback`.
 *
 * Accepted: a string starting with exactly one `/` followed by a path segment (or nothing),
 * made of printable ASCII, no backslash, no `//` or dot segments (`/./`, `/../`) in the path,
 * no `@` in the path, and no percent-encoded spelling of any of those. A query and fragment are
 * kept as given. The fallback is returned unchanged and is trusted (it comes from config).
 *
 * @param value - untrusted input (query, body or cookie value); anything that is not a string falls back.
 * @param fallback - the default target, e.g. `'/dashboard'`.
 * @returns `value` or `fallback`; never an absolute or scheme-relative URL derived from input.
 * @example
 * safeReturnTo('/settings?tab=members', '/dashboard'); // '/settings?tab=members'
 * safeReturnTo('//evil.example', '/dashboard');         // '/dashboard'
 * safeReturnTo('/%5cevil.example', '/dashboard');       // '/dashboard'
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  return isSafeReturnTo(value) ? value : fallback;
}

/**
 * Type guard form of {@link safeReturnTo}: true when `value` is a safe same-origin relative path.
 *
 * @example
 * if (!isSafeReturnTo(options.afterLoginUrl)) throw new ConfigError('afterLoginUrl must be a relative path');
 */
export function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return false;
  // Raw value: printable ASCII only. This rejects CR/LF/TAB (header injection, and browsers
  // strip TAB/LF inside URLs so `/\t/evil` becomes `//evil`), spaces and every non-ASCII
  // character including full-width `／` and `．`.
  if (!RAW_ALLOWED.test(value)) return false;
  if (!isPlainRelativePath(value)) return false;

  // Every decoded spelling must be a plain relative path too: an application or proxy that
  // decodes once more must not turn `/%2f%2fevil` into `//evil` or `/%5cevil` into `/\evil`.
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return false; // malformed percent-encoding: refuse rather than guess
    }
    if (decoded === current) break;
    if (FORBIDDEN_DECODED.test(decoded)) return false;
    if (!isPlainRelativePath(decoded)) return false;
    // Compatibility forms (full-width solidus, one-dot leader...) fold to ASCII under NFKC;
    // an app that normalises would see a different path, so the folded form must be safe too.
    const folded = decoded.normalize('NFKC');
    if (folded !== decoded && (FORBIDDEN_DECODED.test(folded) || !isPlainRelativePath(folded))) return false;
    current = decoded;
  }
  return true;
}

/**
 * Structural check on one spelling: starts with a single `/`, the path part (before `?`/`#`)
 * has no empty segment (`//`), no dot segment, no backslash and no `@` (userinfo confusion
 * when a path is later concatenated onto an origin string).
 */
function isPlainRelativePath(value: string): boolean {
  if (value[0] !== '/') return false;
  if (value.includes('\\')) return false;
  const end = firstIndexOf(value, '?', '#');
  const path = end === -1 ? value : value.slice(0, end);
  if (path.includes('//')) return false;
  if (path.includes('@')) return false;
  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return false;
  }
  // `/javascript:alert(1)` is a harmless path to a browser, but a naive URL joiner that strips
  // the leading slash would see a scheme; refuse a first segment shaped like `scheme:`.
  const firstSegment = path.split('/')[1] ?? '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(firstSegment)) return false;
  return true;
}

function firstIndexOf(value: string, ...needles: string[]): number {
  let best = -1;
  for (const needle of needles) {
    const at = value.indexOf(needle);
    if (at !== -1 && (best === -1 || at < best)) best = at;
  }
  return best;
}
