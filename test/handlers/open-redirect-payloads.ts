/**
 * Open-redirect corpus for every route that takes a redirect target (login start, callback,
 * logout, email update). Written for this project: each entry tries to make a `return_to`
 * leave the application's origin, or to smuggle a header, and must fall back to the default.
 *
 * Families: scheme-relative and slash/backslash mixes, absolute and scheme-only URLs, script
 * schemes, percent-encoded (single, double, mixed case) separators, whitespace and control
 * characters that browsers strip, userinfo `@` confusion, numeric and IPv6 host spellings,
 * Unicode look-alikes (full-width, ideographic dot, fraction and division slashes), dot
 * segments that collapse into `//`, and CR/LF header injection (catalogue #92-#95).
 */

const HOSTS = [
  'evil.example',
  'evil.example.',
  'evil.example:443',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '017700000001',
  '127.1',
  '[::1]',
  '[::ffff:7f00:1]',
  'localhost:3000@evil.example',
  'evil.example%2f.localhost',
  'evil\u3002example',
  'evil\uff0eexample',
  '\uff45\uff56\uff49\uff4c.example',
  'evil.example#@localhost',
] as const;

/** Prefixes that turn a host into an off-site target for some parser or browser. */
const PREFIXES = [
  '//',
  '///',
  '////',
  '/\\',
  '\\\\',
  '\\/',
  '/\\/',
  '//\\',
  'https://',
  'http://',
  'https:',
  'http:',
  'https:/',
  'https:\\\\',
  '/%2f',
  '/%2F',
  '%2f%2f',
  '/%5c',
  '/%5C',
  '%5c%5c',
  '/%252f',
  '/%255c',
  '/\t/',
  '/%09/',
  ' //',
] as const;

/** Hand-written payloads that do not fit the prefix x host grid. */
const SINGLES = [
  // script and data schemes
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'javascript://%0aalert(1)',
  'java\tscript:alert(1)',
  'java%09script:alert(1)',
  '\x01javascript:alert(1)',
  ' javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  '/javascript:alert(1)',
  '/data:text/html,x',
  // whitespace and controls browsers strip before parsing
  '/\n/evil.example',
  '/\r/evil.example',
  '/\r\n/evil.example',
  '/%0a/evil.example',
  '/%0d/evil.example',
  '/%0d%0a/evil.example',
  '\t//evil.example',
  '\n//evil.example',
  '/ /evil.example',
  '/%20/evil.example',
  '/\u0000/evil.example',
  '/%00/evil.example',
  '/\u000b/evil.example',
  '/\u000c/evil.example',
  // header injection
  '/%0d%0aSet-Cookie:%20stytch_session=attacker',
  '/%0d%0aLocation:%20https://evil.example',
  '/\r\nSet-Cookie: stytch_session=attacker',
  '/\r\nLocation: https://evil.example',
  '/x%0d%0a%0d%0a<script>alert(1)</script>',
  '/&%0d%0a1Location:https://evil.example',
  // userinfo and authority confusion
  '/@evil.example',
  '/%40evil.example',
  '@evil.example',
  'localhost:3000@evil.example',
  'http://localhost:3000@evil.example',
  'http://localhost:3000:@evil.example',
  'http://localhost:3000\\@evil.example',
  'http://localhost:3000%2f@evil.example',
  'http://localhost:3000%5c@evil.example',
  'http://evil.example\\@localhost:3000',
  'http://evil.example?@localhost:3000',
  'http://evil.example#@localhost:3000',
  'http://localhost:3000.evil.example',
  'http://localhost.evil.example:3000',
  'http://localhost:3000/@evil.example/..',
  // dot segments that collapse into '//' or climb out
  '/./evil.example',
  '/../evil.example',
  '/.//evil.example',
  '/..//evil.example',
  '/%2e%2e//evil.example',
  '/%2e//evil.example',
  '/a/../..//evil.example',
  '/a/%2e%2e/%2e%2e/%2fevil.example',
  '/..%2fevil.example',
  '/..%5cevil.example',
  '/.%2e/evil.example',
  // Unicode look-alikes
  '\uff0f\uff0fevil.example',
  '/\uff0fevil.example',
  '\u2044\u2044evil.example',
  '/\u2215evil.example',
  '/\u29f8evil.example',
  '/%ef%bc%8f%ef%bc%8fevil.example',
  '\uff48\uff54\uff54\uff50\uff53://evil.example',
  '/\u3002/evil.example',
  '/\u2028/evil.example',
  '/%e2%80%a8/evil.example',
  '/\ufeff/evil.example',
  '/\u200b/evil.example',
  // encodings of the separators
  '%2f%2fevil.example',
  '%2F%2Fevil.example',
  '/%2f%2fevil.example',
  '/%252f%252fevil.example',
  '/%25252f%25252fevil.example',
  '/%5c%5cevil.example',
  '/%255c%255cevil.example',
  '%5c/evil.example',
  '/%5c/evil.example',
  '/%%32%66evil.example',
  '/%25%32%66%25%32%66evil.example',
  '/%u002fevil.example',
  '/%c0%afevil.example',
  '/%e0%80%afevil.example',
  // not a string path at all, or empty
  '',
  ' ',
  '.',
  '..',
  'evil.example',
  'evil.example/path',
  '?next=//evil.example',
  '#//evil.example',
  '~/evil.example',
  // long values
  '/' + 'a'.repeat(5000),
  '/' + '%2f'.repeat(100) + 'evil.example',
] as const;

function build(): string[] {
  const all = new Set<string>(SINGLES);
  for (const prefix of PREFIXES) {
    for (const host of HOSTS) {
      all.add(prefix + host);
      all.add(prefix + host + '/path?x=1');
    }
  }
  return [...all];
}

/** Every payload; each one must end in the default target, never off-site. */
export const OPEN_REDIRECT_PAYLOADS: readonly string[] = build();

/** A deterministic subset for tests that run a full emulator round trip per payload. */
export function samplePayloads(count: number): string[] {
  const step = Math.max(1, Math.floor(OPEN_REDIRECT_PAYLOADS.length / count));
  const picked = new Set<string>(SINGLES);
  for (let i = 0; i < OPEN_REDIRECT_PAYLOADS.length && picked.size < count; i += step) {
    const payload = OPEN_REDIRECT_PAYLOADS[i];
    if (payload !== undefined) picked.add(payload);
  }
  return [...picked];
}

/**
 * Values that look dangerous but are plain same-origin paths once a browser reads them: the
 * percent-encoded bytes stay encoded in the path (no browser decodes `%E5%98%8A` into CR/LF or
 * `%E2%81%84` into a slash). They may be kept as given; they must never leave the origin.
 */
export const HARMLESS_LOOKALIKES: readonly string[] = ['/%E5%98%8A%E5%98%8DSet-Cookie:x=1', '/%e2%81%84evil.example', '/a?next=//evil.example', '/a#//evil.example'];
