/**
 * Strict parsing of an RS256 compact JWS (RFC 7515 §7.1), without any cryptography.
 *
 * Why this exists instead of jose's `jwtVerify`: jose v6 verifies through WebCrypto only
 * (`crypto.subtle.verify`), whose per-call overhead dominates the cold path of session
 * verification. The signature itself is checked with `node:crypto` in `verify-jwt.ts`; this
 * module only decides, from the token's text, whether it is worth checking at all. It never
 * decides that a token is genuine. It is at least as strict as jose on every input jose would
 * refuse, and stricter where jose is lenient (see {@link decodeBase64urlStrict}).
 *
 * Order matters: everything decidable from the token's text alone (the three segments' encoding
 * and every header rule) is judged here, before any key lookup, so junk never triggers a JWKS
 * refetch. The payload is decoded and parsed only after the signature has been verified
 * ({@link decodeJsonObject}), so attacker-controlled claims are never looked at first
 *.
 */

/** One compact JWS whose header passed every rule below. Nothing here is verified yet. */
export interface CompactJws {
  /** The parsed protected header (a plain JSON object). */
  readonly header: Readonly<Record<string, unknown>>;
  /** The header's `kid`, when present (always a string). */
  readonly kid: string | undefined;
  /** `BASE64URL(header) "." BASE64URL(payload)` as bytes: what the signature covers. */
  readonly signingInput: Buffer;
  /** The payload segment, still encoded: decode it only after the signature checks out. */
  readonly encodedPayload: string;
  /** The decoded signature (from canonical base64url). */
  readonly signature: Buffer;
}

/** Why a token was refused before any key was looked up; short, stable and safe to log. */
export type JwsRejection =
  | 'segments'
  | 'header_encoding'
  | 'header_json'
  | 'payload_encoding'
  | 'signature_encoding'
  | `header_${ForbiddenHeaderParam}`
  | 'alg'
  | 'kid_not_string'
  | 'typ';

/**
 * Header parameters we refuse outright. `crit` and `b64` would change how the token must be
 * processed (RFC 7515 §4.1.11, RFC 7797), and Stytch sends neither. The other four
 * would let the token choose its own verification key: keys come only from the
 * configured JWKS, so their mere presence marks a token we did not expect from Stytch.
 * `crit` and `b64` come first because jose judged them before `alg`.
 */
const FORBIDDEN_HEADER_PARAMS = ['crit', 'b64', 'jku', 'x5u', 'jwk', 'x5c'] as const;
type ForbiddenHeaderParam = (typeof FORBIDDEN_HEADER_PARAMS)[number];

/**
 * One decoder for the whole process (this is a hot path). `fatal: true` makes invalid UTF-8
 * (overlong forms, lone surrogates, truncated sequences) throw instead of turning into U+FFFD,
 * so two different byte strings can never decode to the same JSON text.
 * `ignoreBOM: false` (the default) strips a leading BOM, which JSON.parse would refuse anyway.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The base64url alphabet (RFC 4648 §5), no padding, no whitespace, at least one character. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The value (0-63) of each base64url character, or -1. Used only on a segment's last character,
 * to check the bits it carries beyond the end of the data.
 */
const SEXTET = new Int8Array(128).fill(-1);
for (const [index, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) {
  SEXTET[char.charCodeAt(0)] = index;
}

/**
 * True when `segment` is canonical, unpadded base64url: only the 64 alphabet characters, a length
 * that is not 1 mod 4 (such a length cannot encode whole bytes), and zero bits in whatever the
 * last character carries past the last byte.
 *
 * Why stricter than jose: on Node 20 jose decodes with `atob`, which accepts `=` padding, ASCII
 * whitespace and non-zero trailing bits, so `...Q` and `...R` can decode to the same bytes. One
 * token then has many spellings, which defeats any cache, denylist or log keyed by the raw string
 *. Stytch (like every RFC 7515 producer) emits only the canonical form.
 */
export function isCanonicalBase64url(segment: string): boolean {
  const length = segment.length;
  const tail = length % 4;
  if (tail === 1 || !BASE64URL.test(segment)) return false;
  if (tail === 0) return true;
  // 2 characters carry 12 bits for 1 byte (4 spare), 3 characters carry 18 bits for 2 bytes (2 spare).
  const last = SEXTET[segment.charCodeAt(length - 1)]!;
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decode canonical base64url, or return undefined. Node's own decoder is lenient (it skips
 * characters it does not know), so it is only ever handed a segment that passed
 * {@link isCanonicalBase64url}: then exactly one byte string corresponds to it.
 */
export function decodeBase64urlStrict(segment: string): Buffer | undefined {
  return isCanonicalBase64url(segment) ? Buffer.from(segment, 'base64url') : undefined;
}

/**
 * Decode a base64url segment holding UTF-8 JSON whose top level is an object (not an array, a
 * string, a number or null), or return undefined. `JSON.parse` keeps a `__proto__` key as an own
 * property, never as a prototype, and a duplicated key keeps its last value, as in jose.
 */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64urlStrict(segment);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The `typ` rule of jose with `typ: 'JWT'`: a string equal to `JWT` or `application/jwt`, ignoring
 * case (RFC 7515 §4.1.9 lets the `application/` prefix be omitted). A missing `typ`, `at+jwt`,
 * `logout+jwt` or `JWE` is refused: Stytch always sends `JWT`.
 */
function isJwtTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === 'jwt' || lower === 'application/jwt';
}

/**
 * Split a compact JWS and judge its protected header (RFC 7515 §5.2 steps 1-4, narrowed to RS256).
 *
 * Refused (with a {@link JwsRejection}): anything but exactly three non-empty segments; a segment
 * that is not canonical unpadded base64url; a header that is not UTF-8 JSON of an object; a header
 * with `crit`, `b64`, `jku`, `x5u`, `jwk` or `x5c` (present at all, whatever the value); an `alg`
 * other than the exact string `RS256` (`none`, `None`, `HS256`, `RS384`, `PS256`, `rs256`, a
 * non-string); a `kid` that is present but not a string; a `typ` other than
 * `JWT` / `application/jwt` in any case, or none.
 *
 * Not judged here: the signature and the payload ({@link decodeJsonObject}), which the caller
 * handles once a key has been found.
 *
 * @param token - the raw token text (the caller has already capped its length).
 * @returns the parsed token, or the reason it was refused.
 * @example
 * const jws = parseCompactJws(token);
 * if (typeof jws === 'string') return { kind: 'invalid', detail: jws };
 * const found = await jwks.getKey(jws.kid);
 */
export function parseCompactJws(token: string): CompactJws | JwsRejection {
  const firstDot = token.indexOf('.');
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1);
  // A third dot lands in the signature segment, which the alphabet check below refuses.
  if (secondDot === -1) return 'segments';
  const encodedHeader = token.slice(0, firstDot);
  const encodedPayload = token.slice(firstDot + 1, secondDot);
  const encodedSignature = token.slice(secondDot + 1);
  // Empty segments fail here too (the alphabet needs at least one character): an unsigned token
  // (`header.payload.`) never reaches a key lookup.
  if (!isCanonicalBase64url(encodedPayload)) return 'payload_encoding';
  if (!isCanonicalBase64url(encodedSignature)) return 'signature_encoding';
  if (!isCanonicalBase64url(encodedHeader)) return 'header_encoding';

  const header = decodeJsonObject(encodedHeader);
  if (header === undefined) return 'header_json';
  // Presence is enough: `"crit": null` or `"jku": ""` is as unexpected from Stytch as a real value.
  for (const param of FORBIDDEN_HEADER_PARAMS) {
    if (Object.hasOwn(header, param)) return `header_${param}`;
  }
  // Exact string comparison: no case folding, no trimming, no allow-list lookup that a non-string
  // (an array `["RS256"]`, an object with a toString) could slip through.
  if (header.alg !== 'RS256') return 'alg';
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') return 'kid_not_string';
  if (!isJwtTyp(header.typ)) return 'typ';

  return {
    header,
    kid,
    // The token has been checked to be ASCII (base64url and two dots), so latin1 is byte-exact.
    signingInput: Buffer.from(token.slice(0, secondDot), 'latin1'),
    encodedPayload,
    signature: Buffer.from(encodedSignature, 'base64url'),
  };
}
