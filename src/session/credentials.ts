/**
 * Cheap, allocation-light credential extraction from raw header strings. Pure: knows nothing of
 * Express. Everything here runs before any base64 or JSON decoding, so junk is refused at the
 * cost of a character scan.
 */

/** Default cap on a token's length in characters. */
export const DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

/** Result of reading the Authorization header. */
export type BearerResult = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'token'; value: string };

const ABSENT: BearerResult = { kind: 'absent' };
const MALFORMED: BearerResult = { kind: 'malformed' };

/**
 * Read a `Bearer` credential. The scheme is matched case-insensitively; it must be followed by
 * exactly one space and one non-empty token with no further whitespace (`Bearer`, `Bearer a b`,
 * `Bearer<TAB>x` are malformed). Other schemes (`Basic ...`) belong to someone else and read as absent.
 */
export function parseBearer(header: string | undefined): BearerResult {
  if (header === undefined || header === '') return ABSENT;
  if (header.length < 6) return ABSENT;
  // The scheme, case-insensitively, letter by letter (no slice, no lowercased copy per request).
  // For these letters `| 0x20` folds exactly the ASCII upper case onto the lower case.
  if (
    (header.charCodeAt(0) | 0x20) !== 0x62 /* b */ ||
    (header.charCodeAt(1) | 0x20) !== 0x65 /* e */ ||
    (header.charCodeAt(2) | 0x20) !== 0x61 /* a */ ||
    (header.charCodeAt(3) | 0x20) !== 0x72 /* r */ ||
    (header.charCodeAt(4) | 0x20) !== 0x65 /* e */ ||
    (header.charCodeAt(5) | 0x20) !== 0x72 /* r */
  ) {
    return ABSENT;
  }
  if (header.length === 6) return MALFORMED;
  const sep = header.charCodeAt(6);
  if (sep === 0x09) return MALFORMED; // `Bearer<TAB>x`
  if (sep !== 0x20) return ABSENT; // `Bearerish ...`: another scheme
  const value = header.slice(7);
  // Header values cannot hold CR/LF; space and tab are the only whitespace left to refuse.
  if (value === '' || value.includes(' ') || value.includes('\t')) return MALFORMED;
  return { kind: 'token', value };
}

/**
 * One cookie as read from a `Cookie` header: absent, one value, or a conflict (the name sent
 * twice with different values). A conflict is its own case, never a magic value: a planted cookie
 * from a sibling subdomain must not be silently preferred (jshttp/cookie keeps the first
 * occurrence, which is exactly what an attacker relies on), and no value a client sends can be
 * mistaken for one.
 */
export type CookieRead = { readonly kind: 'absent' } | { readonly kind: 'value'; readonly value: string } | { readonly kind: 'conflict' };

export const COOKIE_ABSENT: CookieRead = Object.freeze({ kind: 'absent' });
export const COOKIE_CONFLICT: CookieRead = Object.freeze({ kind: 'conflict' });

/** Find one cookie in a `Cookie` header; the value is raw (not percent-decoded). */
export function scanCookieHeader(header: string, name: string): CookieRead {
  // One scanner serves both: with the same name twice, both halves of the pair are identical.
  return scanCookiePair(header, name, name).first;
}

/** Both results of {@link scanCookiePair}, each as {@link scanCookieHeader} would return it. */
export interface CookiePair {
  readonly first: CookieRead;
  readonly second: CookieRead;
}

/**
 * {@link scanCookieHeader} for two names in one pass over the header: exactly
 * `{ first: scanCookieHeader(header, first), second: scanCookieHeader(header, second) }`
 * (same trimming, quotes and conflict rule), for the middleware, which reads both session
 * cookies on every request and would otherwise walk a header holding a 1-2 kB JWT twice.
 */
export function scanCookiePair(header: string, first: string, second: string): CookiePair {
  let a: string | undefined;
  let b: string | undefined;
  let aConflict = false;
  let bConflict = false;
  let index = 0;
  const length = header.length;
  while (index < length && !(aConflict && bConflict)) {
    let end = header.indexOf(';', index);
    if (end === -1) end = length;
    const eq = header.indexOf('=', index);
    if (eq !== -1 && eq < end) {
      let keyStart = index;
      let keyEnd = eq;
      while (keyStart < keyEnd && isOws(header.charCodeAt(keyStart))) keyStart++;
      while (keyEnd > keyStart && isOws(header.charCodeAt(keyEnd - 1))) keyEnd--;
      const keyLength = keyEnd - keyStart;
      const isA = !aConflict && keyLength === first.length && header.startsWith(first, keyStart);
      const isB = !bConflict && keyLength === second.length && header.startsWith(second, keyStart);
      if (isA || isB) {
        let valStart = eq + 1;
        let valEnd = end;
        while (valStart < valEnd && isOws(header.charCodeAt(valStart))) valStart++;
        while (valEnd > valStart && isOws(header.charCodeAt(valEnd - 1))) valEnd--;
        if (valEnd - valStart >= 2 && header.charCodeAt(valStart) === 0x22 && header.charCodeAt(valEnd - 1) === 0x22) {
          valStart++;
          valEnd--;
        }
        const value = header.slice(valStart, valEnd);
        if (isA) {
          if (a === undefined) a = value;
          else if (a !== value) aConflict = true;
        }
        if (isB) {
          if (b === undefined) b = value;
          else if (b !== value) bConflict = true;
        }
      }
    }
    index = end + 1;
  }
  return { first: toRead(a, aConflict), second: first === second ? toRead(a, aConflict) : toRead(b, bConflict) };
}

function toRead(value: string | undefined, conflict: boolean): CookieRead {
  if (conflict) return COOKIE_CONFLICT;
  return value === undefined ? COOKIE_ABSENT : { kind: 'value', value };
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * True when `value` looks like a compact JWS: three non-empty base64url segments and nothing
 * else, within `maxLength`. Rejects JWE (5 parts), JSON serialisation, whitespace, padding and
 * any byte outside base64url before any decoding work.
 */
export function isCompactJwsShape(value: string, maxLength: number): boolean {
  // The length test comes first, so an oversized token costs nothing more; the regular expression
  // (linear, no backtracking across the fixed dots) scans the rest faster than a per-character loop.
  return value.length <= maxLength && COMPACT_JWS.test(value);
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OPAQUE_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * True when `value` could be an opaque Stytch session token: base64url characters only, within
 * `maxLength`. (Real tokens are 44 characters; we do not pin the length so a format change at
 * Stytch does not log everyone out, but anything outside the alphabet never reaches the network.)
 */
export function isOpaqueTokenShape(value: string, maxLength: number): boolean {
  return value.length >= 8 && value.length <= maxLength && OPAQUE_TOKEN.test(value);
}

/** RFC 6265 cookie-name characters (an HTTP token). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** True when `name` can be used as a cookie name without header injection. */
export function isValidCookieName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 256 && COOKIE_NAME.test(name);
}
