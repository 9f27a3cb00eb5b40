/**
 * Differential test of the session-JWT verifier: `SessionJwtVerifier` (our compact-JWS parser,
 * one node:crypto RS256 check, our claim rules) against jose 6 `jwtVerify` given the same key set
 * (`createLocalJWKSet` over the JWKS our cache fetches from a real server on 127.0.0.1:0), the
 * same algorithm list (`['RS256']`), issuers, audience, `typ`, required claims, clock tolerance and
 * clock.
 *
 * Over 100 000 tokens per run, generated (header and claims built from boundary values, signed
 * with node:crypto over exactly the text the token carries) and then mutated without re-signing
 * (bytes changed, inserted or dropped in each segment, padding, whitespace, extra segments). For
 * each token the expected answer is derived from jose's:
 *
 * - jose refuses -> ours answers `invalid`;
 * - jose accepts (or refuses only because `exp` has passed) -> ours gives the same answer as
 *   jose, unless one of the rules in {@link stricterByDesign} applies, where ours refuses on
 *   purpose. Each such rule says why it can never refuse a token Stytch issues, and has one
 *   concrete token below that jose accepts and ours refuses.
 *
 * The Stytch claims (session, organization, M2M `scope`) are outside jose's scope: on a payload
 * jose returned, the expected answer applies `identityFromJwtPayload` to it, so what ours hands
 * on (the identity and how long it holds) must be exactly what jose's payload says.
 *
 * Seed: 20261202, or `FC_SEED` from the environment; it is printed with any failure.
 */
import { constants, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../../src/client/types.js';
import { identityFromJwtPayload } from '../../src/session/claims.js';
import { JwksCache } from '../../src/session/jwks-cache.js';
import { SessionJwtVerifier } from '../../src/session/verify-jwt.js';
import type { JwtVerification } from '../../src/session/verify-jwt.js';

const SEED = process.env.FC_SEED === undefined ? 20261202 : Number(process.env.FC_SEED);
if (!Number.isSafeInteger(SEED)) throw new Error('FC_SEED must be an integer');

const PROJECT = 'project-test-diff';
const ISSUERS = [`stytch.com/${PROJECT}`, 'https://auth.example.test'];
/** The clock's whole second; each token's clock adds 0-999 ms to it. */
const NOW_S = 1_800_000_000;

const K1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const K2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FORGED = generateKeyPairSync('rsa', { modulusLength: 2048 });

function publicJwk(key: KeyObject, kid: string | undefined): JWK {
  const { n, e } = key.export({ format: 'jwk' });
  return { kty: 'RSA', n: n!, e: e!, alg: 'RS256', use: 'sig', ...(kid === undefined ? {} : { kid }) };
}

/** One configuration, applied identically to both verifiers. */
interface World {
  readonly name: string;
  readonly jwks: JSONWebKeySet;
  readonly toleranceSeconds: number;
  ours?: SessionJwtVerifier;
  jose?: ReturnType<typeof createLocalJWKSet>;
}

const WORLDS: World[] = [
  { name: 'two keys, tolerance 0', jwks: { keys: [publicJwk(K1.publicKey, 'k1'), publicJwk(K2.publicKey, 'k2')] }, toleranceSeconds: 0 },
  { name: 'one key, tolerance 30', jwks: { keys: [publicJwk(K1.publicKey, 'k1')] }, toleranceSeconds: 30 },
  { name: 'one key without kid, tolerance 5', jwks: { keys: [publicJwk(K1.publicKey, undefined)] }, toleranceSeconds: 5 },
];

/** The verifiers' clock, in epoch ms; set before each pair of calls (both read it synchronously). */
let clockMs = NOW_S * 1000;
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const world = WORLDS[Number(req.url?.slice(1))];
    res.statusCode = world === undefined ? 404 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(world?.jwks ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  for (const [index, world] of WORLDS.entries()) {
    // The key set's own clock stands still: it stays fresh and never refetches for an unknown kid.
    const jwks = new JwksCache({ url: `http://127.0.0.1:${port}/${index}`, now: () => NOW_S * 1000 });
    const primed = await jwks.getKey(world.jwks.keys[0]!.kid);
    expect(primed.kind).toBe('key');
    world.ours = new SessionJwtVerifier({ jwks, projectId: PROJECT, issuers: ISSUERS, clockToleranceSeconds: world.toleranceSeconds, now: () => clockMs });
    world.jose = createLocalJWKSet(world.jwks);
  }
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

// ---------------------------------------------------------------------------------------------
// What jose says, and what ours must say in consequence.

type JoseAnswer =
  | { kind: 'accepted'; payload: JWTPayload }
  /** Refused only because `exp` has passed: jose checks `exp` after every other claim rule. */
  | { kind: 'expired'; payload: JWTPayload }
  | { kind: 'refused'; code: string };

async function askJose(world: World, token: string): Promise<JoseAnswer> {
  // jose answers most tokens with an error; their stack traces are not needed and cost more than a
  // refusal itself. Restored before any assertion runs.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const { payload } = await jwtVerify(token, world.jose!, {
      algorithms: ['RS256'],
      issuer: ISSUERS,
      audience: PROJECT,
      typ: 'JWT',
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: world.toleranceSeconds,
      currentDate: new Date(clockMs),
    });
    return { kind: 'accepted', payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired && error.claim === 'exp') return { kind: 'expired', payload: error.payload };
    return { kind: 'refused', code: error instanceof errors.JOSEError ? error.code : String(error) };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Canonical unpadded base64url, judged by a round trip (independent of our parser's tables). */
function isCanonical(segment: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

const FORBIDDEN_HEADER = ['crit', 'b64', 'jku', 'x5u', 'jwk', 'x5c'];
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/**
 * Tokens jose accepts (or finds merely expired) that ours refuses on purpose. Each is something
 * Stytch never issues, so the stricter rule can never sign out a real session:
 *
 * - `encoding`: a segment that is not canonical unpadded base64url. On Node 20 jose decodes with
 *   `atob`, which accepts `=` padding, ASCII whitespace and non-zero spare bits in the last
 *   character, so one token has many spellings (and a signature segment can be re-spelled without
 *   touching the signature). That defeats any cache, denylist or log keyed by the token text.
 *   Stytch, like every RFC 7515 producer, emits the canonical form only.
 * - `header_param`: `crit`, `b64`, `jku`, `x5u`, `jwk` or `x5c` in the header. jose accepts
 *   `crit: ["b64"]` with `b64: true`, ignores `b64` without `crit`, and ignores the key-carrying
 *   parameters when given a key set. Stytch's header is exactly `alg`, `typ`, `kid`.
 * - `non_finite_time`: `1e999` (JSON for Infinity) or `-1e999` as `iat`, `nbf` or `exp`: jose only
 *   checks `typeof === 'number'`, so `exp: 1e999` would never expire. Stytch writes integers.
 * - `sub_type`: a `sub` that is not a string (RFC 7519 §4.1.2 makes it a StringOrURI). jose checks
 *   its type only when given `subject`. Stytch's `sub` is the member id (an M2M token's, the
 *   client id): always a string. This matters for M2M tokens, which skip the Stytch session claims.
 * - `iat_future`: `iat` later than now + tolerance. jose checks it only with `maxTokenAge`, which
 *   the Stytch SDK does not use. Stytch sets `nbf` equal to `iat`, so a Stytch token with a future
 *   `iat` also has a future `nbf`, which jose refuses as well.
 */
type StricterRule = 'encoding' | 'header_param' | 'non_finite_time' | 'sub_type' | 'iat_future';

function stricterByDesign(world: World, token: string, payload: JWTPayload): StricterRule | undefined {
  if (!token.split('.').every(isCanonical)) return 'encoding';
  const header = decodeProtectedHeader(token) as Record<string, unknown>;
  if (FORBIDDEN_HEADER.some((name) => Object.hasOwn(header, name))) return 'header_param';
  if (TIME_CLAIMS.some((claim) => typeof payload[claim] === 'number' && !Number.isFinite(payload[claim]))) return 'non_finite_time';
  if (typeof payload.sub !== 'string') return 'sub_type';
  return undefined;
}

/** What ours must answer, as the parts that can be compared exactly. */
type Expected =
  | { kind: 'invalid'; why: string }
  | { kind: 'not_a_session' }
  | { kind: 'refresh'; identity: object }
  | { kind: 'valid'; identity: object; validUntilMs: number };

function expectedFrom(world: World, token: string, jose: JoseAnswer): Expected & { stricter?: StricterRule } {
  if (jose.kind === 'refused') return { kind: 'invalid', why: `jose ${jose.code}` };
  const payload = jose.payload as Record<string, unknown>;
  const stricter = stricterByDesign(world, token, payload);
  if (stricter !== undefined) return { kind: 'invalid', why: stricter, stricter };
  // Beyond jose: the Stytch claims, checked on the payload jose returned.
  if (!Object.hasOwn(payload, SESSION_CLAIM) && Object.hasOwn(payload, 'scope')) return { kind: 'not_a_session' };
  const identity = identityFromJwtPayload(payload);
  if (identity === undefined) return { kind: 'invalid', why: 'stytch claims' };
  if ((payload.iat as number) > Math.floor(clockMs / 1000) + world.toleranceSeconds) return { kind: 'invalid', why: 'iat_future', stricter: 'iat_future' };
  if (jose.kind === 'expired' || identity.sessionExpiresAt.getTime() <= clockMs) return { kind: 'refresh', identity };
  const validUntilMs = Math.min(((payload.exp as number) + world.toleranceSeconds) * 1000, identity.sessionExpiresAt.getTime());
  return { kind: 'valid', identity, validUntilMs };
}

function comparable(result: JwtVerification): Expected | { kind: string } {
  switch (result.kind) {
    case 'invalid':
      return { kind: 'invalid', why: 'ours' };
    case 'valid':
      return { kind: 'valid', identity: result.identity, validUntilMs: result.validUntilMs };
    case 'refresh':
      return { kind: 'refresh', identity: result.identity };
    default:
      return { kind: result.kind };
  }
}

/** Counts over the whole file: how many tokens, and how each was decided. */
const tally = new Map<string, number>();
let checked = 0;

async function check(world: World, nowOffsetMs: number, token: string): Promise<void> {
  clockMs = NOW_S * 1000 + nowOffsetMs;
  const [ours, jose] = await Promise.all([world.ours!.verify(token), askJose(world, token)]);
  const expected = expectedFrom(world, token, jose);
  const key = `jose ${jose.kind} -> ${expected.stricter === undefined ? expected.kind : `invalid (stricter: ${expected.stricter})`}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  checked++;
  const { stricter: _stricter, ...want } = expected;
  const got = comparable(ours);
  // The cheap comparison first; expect() only to report a difference.
  if (want.kind === 'invalid' ? got.kind !== 'invalid' : !isDeepStrictEqual(got, want)) {
    expect({ token, world: world.name, clockMs, jose, got }).toEqual({ token, world: world.name, clockMs, jose, got: want });
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: JSON texts written member by member (so duplicates, raw numbers such as 1e999 and
// whitespace can be expressed), segment spellings, signatures and mutations.

type Member = readonly [name: string, rawJson: string];
const str = (value: string): string => JSON.stringify(value);

/** A value that is usually the normal one and sometimes one of the variants (or absent: undefined). */
function mostly(normal: string | undefined, variants: readonly (string | undefined)[], normalWeight: number): fc.Arbitrary<string | undefined> {
  return fc.oneof({ weight: Math.max(1, Math.ceil(normalWeight)), arbitrary: fc.constant(normal) }, { weight: 1, arbitrary: fc.constantFrom(...variants) });
}

const ALG_VARIANTS = [undefined, '"none"', '"None"', '"HS256"', '"RS512"', '"RS384"', '"PS256"', '"ES256"', '"rs256"', '"RS256 "', '""', '["RS256"]', 'null', '1'];
const TYP_VARIANTS = [undefined, '"jwt"', '"application/jwt"', '"Application/JWT"', '"at+jwt"', '"application/at+jwt"', '"foo/jwt"', '"JWT "', '"JWS"', '1', 'null'];
const KID_VARIANTS = [undefined, '"k1"', '"k2"', '"k3"', '""', '"K1"', '"__proto__"', '1', 'null', '["k1"]'];
const EXTRA_HEADER: readonly Member[][] = [
  [['crit', '["b64"]'], ['b64', 'true']],
  [['crit', '["b64"]'], ['b64', 'false']],
  [['b64', 'false']],
  [['b64', 'true']],
  [['crit', '["exp"]']],
  [['crit', '[]']],
  [['crit', 'null']],
  [['jku', str('https://keys.example.test/jwks')]],
  [['x5u', str('https://keys.example.test/cert')]],
  [['jwk', JSON.stringify(publicJwk(FORGED.publicKey, 'k1'))]],
  [['x5c', '[]']],
  [['cty', '"JWT"']],
  [['zip', '"DEF"']],
  [['__proto__', '{"alg":"RS256"}']],
  [['alg', '"none"']],
  [['kid', '"k2"']],
];

interface HeaderModel {
  readonly alg: string | undefined;
  readonly typ: string | undefined;
  readonly kid: string | undefined;
  readonly extra: readonly Member[];
  /** Extra members go before (earlier duplicates lose) or after (later duplicates win) the usual ones. */
  readonly extraFirst: boolean;
}

function headerArb(variety: number): fc.Arbitrary<HeaderModel> {
  return fc.record({
    alg: mostly('"RS256"', ALG_VARIANTS, 40 / variety),
    typ: mostly('"JWT"', TYP_VARIANTS, 30 / variety),
    kid: mostly('"k1"', KID_VARIANTS, 10 / variety),
    extra: fc.oneof({ weight: Math.ceil(20 / variety), arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.constantFrom(...EXTRA_HEADER) }),
    extraFirst: fc.boolean(),
  });
}

/** A time claim: an offset from now in seconds (boundaries of every world's tolerance), or a raw oddity. */
const OFFSETS = [-100_000, -301, -300, -31, -30, -29, -6, -5, -4, -1, 0, 1, 4, 5, 6, 29, 30, 31, 299, 300, 301, 100_000];
const TIME_ODDITIES = [
  undefined,
  '1e999',
  '-1e999',
  '1e308',
  '-1e308',
  '9007199254740993',
  '0',
  '-0',
  '-1',
  'null',
  'true',
  '[1]',
  '{}',
  str(String(NOW_S + 300)),
  `${NOW_S + 300}.0`,
  `${(NOW_S + 300) / 1000}e3`,
  `${NOW_S}.5`,
  `${NOW_S - 1}.999`,
  `${NOW_S + 30}.5`,
];

function timeArb(normalOffset: number, variety: number): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: Math.ceil(12 / variety), arbitrary: fc.constant(String(NOW_S + normalOffset)) },
    { weight: 3, arbitrary: fc.constantFrom(...OFFSETS).map((offset) => String(NOW_S + offset)) },
    { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }).map((offset) => String(NOW_S + offset)) },
    { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }).map((offset) => `${NOW_S + offset}.${offset & 1 ? 5 : 25}`) },
    { weight: 2, arbitrary: fc.constantFrom(...TIME_ODDITIES) },
  );
}

const iso = (offsetMs: number): string => str(new Date(NOW_S * 1000 + offsetMs).toISOString());

function sessionClaim(expiresAt: string, roles: string, proto: boolean): string {
  return `{"id":"member-session-test-1","started_at":${iso(-60_000)},"last_accessed_at":${iso(0)},"expires_at":${expiresAt},"attributes":{"ip_address":"","user_agent":""},"authentication_factors":[{"type":"magic_link","delivery_method":"email"}],"roles":${roles}${proto ? ',"__proto__":{"roles":["admin"]}' : ''}}`;
}

const SESSION_EXPIRES = [iso(-1_000), iso(0), iso(500), iso(1_000), iso(100_000_000), '"not a date"', '1800000000', 'null'];
const ORG_NORMAL = '{"organization_id":"organization-test-1","slug":"acme"}';

interface PayloadModel {
  readonly iss: string | undefined;
  readonly aud: string | undefined;
  readonly sub: string | undefined;
  readonly iat: string | undefined;
  readonly nbf: string | undefined;
  readonly exp: string | undefined;
  readonly session: string | undefined;
  readonly org: string | undefined;
  readonly extra: readonly Member[];
  readonly extraFirst: boolean;
  /** An M2M access token: no session claim, a `scope` claim. */
  readonly machine: boolean;
}

function payloadArb(variety: number): fc.Arbitrary<PayloadModel> {
  const w = (base: number) => Math.max(1, Math.ceil(base / variety));
  return fc.record({
    iss: mostly(str(ISSUERS[0]!), [str(ISSUERS[1]!), str(ISSUERS[1]!), undefined, '"stytch.com/project-test-other"', `[${str(ISSUERS[0]!)}]`, str(`${ISSUERS[0]!}/`), str(ISSUERS[0]!.toUpperCase()), str(`${ISSUERS[1]!}/`), '1', 'null', '""'], w(10)),
    aud: mostly(`[${str(PROJECT)}]`, [str(PROJECT), str(PROJECT), undefined, `[${str(PROJECT)},"other"]`, `["other",${str(PROJECT)}]`, '["other"]', '"other"', '[]', `[1,${str(PROJECT)}]`, str(`${PROJECT} `), str(PROJECT.toUpperCase()), 'null', '{}', `[[${str(PROJECT)}]]`], w(10)),
    sub: mostly('"member-test-1"', [undefined, '""', '1', 'null', str('m'.repeat(1025)), '["member-test-1"]'], w(20)),
    iat: timeArb(-10, variety),
    nbf: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: timeArb(-10, variety) }),
    exp: timeArb(300, variety),
    session: fc.oneof(
      { weight: w(20), arbitrary: fc.constant(sessionClaim(iso(3_600_000), '["stytch_member"]', false)) },
      { weight: 2, arbitrary: fc.constantFrom(...SESSION_EXPIRES).map((at) => sessionClaim(at, '["stytch_member","editor"]', false)) },
      { weight: 1, arbitrary: fc.constantFrom('"x"', '[1]', 'null', '[]').map((roles) => sessionClaim(iso(3_600_000), roles, false)) },
      { weight: 1, arbitrary: fc.constant(sessionClaim(iso(3_600_000), '[]', true)) },
      { weight: 1, arbitrary: fc.constantFrom(undefined, 'null', '[]', '"session"') },
    ),
    org: mostly(ORG_NORMAL, [undefined, '{"organization_id":"","slug":"acme"}', '{"slug":"acme"}', 'null'], w(20)),
    extra: fc.oneof(
      { weight: w(6), arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Member[]>(
          [['scope', '"read:users"']],
          [['jti', '"jwt-1"']],
          [['my_claim', '{"nested":[1,2,3]}']],
          [['__proto__', '{"isAdmin":true}']],
          [['exp', String(NOW_S - 3_600)]],
          [['exp', String(NOW_S + 3_600)]],
          [['iss', '"stytch.com/project-test-other"']],
          [['aud', '"other"']],
          [['iat', '1e999']],
          [['nbf', String(NOW_S + 3_600)]],
          [[SESSION_CLAIM, 'null']],
        ),
      },
      { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((claims) => Object.entries(claims).map(([k, v]) => [k, JSON.stringify(v)] as const)) },
    ),
    extraFirst: fc.boolean(),
    machine: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
}

/** Whitespace between JSON tokens, and an optional byte-order mark before the text. */
const layoutArb = fc.record({
  gap: fc.constantFrom('', '', '', '', ' ', '\n', '\t', '\r\n  '),
  bom: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
type Layout = { gap: string; bom: boolean };

function jsonObject(members: readonly (Member | undefined)[], layout: Layout): string {
  const { gap } = layout;
  const body = members
    .filter((member): member is Member => member !== undefined)
    .map(([name, raw]) => `${gap}${str(name)}${gap}:${gap}${raw}`)
    .join(',');
  return `${layout.bom ? '\uFEFF' : ''}{${body}${gap}}`;
}

const member = (name: string, raw: string | undefined): Member | undefined => (raw === undefined ? undefined : [name, raw]);

function headerJson(model: HeaderModel, layout: Layout): string {
  const usual = [member('alg', model.alg), member('typ', model.typ), member('kid', model.kid)];
  return jsonObject(model.extraFirst ? [...model.extra, ...usual] : [...usual, ...model.extra], layout);
}

function payloadJson(model: PayloadModel, layout: Layout): string {
  const usual = [
    member('iss', model.iss),
    member('aud', model.aud),
    member('sub', model.sub),
    member('iat', model.iat),
    member('nbf', model.nbf),
    member('exp', model.exp),
    model.machine ? member('scope', '"read:documents write:documents"') : member(SESSION_CLAIM, model.session),
    member(ORGANIZATION_CLAIM, model.org),
  ];
  return jsonObject(model.extraFirst ? [...model.extra, ...usual] : [...usual, ...model.extra], layout);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** How a segment is spelled: canonical, or one of the forms lenient decoders also read. */
type Spelling = 'canonical' | 'padded' | 'spare_bits' | 'whitespace' | 'standard_alphabet' | 'bad_char';
const spellingArb = (variety: number): fc.Arbitrary<Spelling> =>
  fc.oneof(
    { weight: Math.ceil(40 / variety), arbitrary: fc.constant<Spelling>('canonical') },
    { weight: 1, arbitrary: fc.constantFrom<Spelling>('padded', 'spare_bits', 'whitespace', 'standard_alphabet', 'bad_char') },
  );

/** Set the spare bits of the last character (when it has any), so the same bytes are spelled anew. */
function withSpareBits(segment: string): string {
  const tail = segment.length % 4;
  if (tail === 0 || segment.length === 0) return `${segment}=`;
  const last = ALPHABET.indexOf(segment.at(-1)!);
  const spare = tail === 2 ? 0x0f : 0x03;
  return segment.slice(0, -1) + ALPHABET[(last & ~spare) | (1 + (last % spare))]!;
}

function spell(bytes: Buffer, spelling: Spelling, at: number): string {
  const canonical = bytes.toString('base64url');
  const position = canonical.length === 0 ? 0 : at % canonical.length;
  switch (spelling) {
    case 'canonical':
      return canonical;
    case 'padded':
      return canonical + '='.repeat((4 - (canonical.length % 4)) % 4 || 2);
    case 'spare_bits':
      return withSpareBits(canonical);
    case 'whitespace':
      return `${canonical.slice(0, position)}${' \n\t'[at % 3]}${canonical.slice(position)}`;
    case 'standard_alphabet':
      return canonical.replaceAll('-', '+').replaceAll('_', '/');
    case 'bad_char':
      return `${canonical.slice(0, position)}${'*é%'[at % 3]}${canonical.slice(position)}`;
  }
}

/** Who signs, and how. */
type Signer = 'k1' | 'k2' | 'forged' | 'rs512' | 'pss' | 'hs256_public_key' | 'empty' | 'short' | 'zero_prefixed';
const signerArb = (variety: number): fc.Arbitrary<Signer> =>
  fc.oneof(
    { weight: Math.ceil(30 / variety), arbitrary: fc.constant<Signer>('k1') },
    { weight: 2, arbitrary: fc.constant<Signer>('k2') },
    { weight: 1, arbitrary: fc.constantFrom<Signer>('forged', 'rs512', 'pss', 'hs256_public_key', 'empty', 'short', 'zero_prefixed') },
  );

/** Signatures are costly (about 0.3 ms): the same input with the same signer is signed once. */
const signatures = new Map<string, Buffer>();
const K1_PUBLIC_PEM = K1.publicKey.export({ format: 'pem', type: 'spki' });

function signatureOf(signer: Signer, input: string): Buffer {
  const memoKey = `${signer}\u0000${input}`;
  const memo = signatures.get(memoKey);
  if (memo !== undefined) return memo;
  const data = Buffer.from(input, 'utf8');
  let signature: Buffer;
  switch (signer) {
    case 'k1':
    case 'k2':
    case 'forged':
      signature = sign('sha256', data, { k1: K1, k2: K2, forged: FORGED }[signer].privateKey);
      break;
    case 'rs512':
      signature = sign('sha512', data, K1.privateKey);
      break;
    case 'pss':
      signature = sign('sha256', data, { key: K1.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING });
      break;
    case 'hs256_public_key':
      // The classic algorithm confusion: the RSA public key used as an HMAC secret.
      signature = createHmac('sha256', K1_PUBLIC_PEM).update(data).digest();
      break;
    case 'empty':
      signature = Buffer.alloc(0);
      break;
    case 'short':
      signature = sign('sha256', data, K1.privateKey).subarray(1);
      break;
    case 'zero_prefixed':
      signature = Buffer.concat([Buffer.from([0]), sign('sha256', data, K1.privateKey)]);
      break;
  }
  signatures.set(memoKey, signature);
  return signature;
}

/** The token's overall shape, beyond its three segments. */
type Framing = 'three' | 'extra_segment' | 'trailing_dot' | 'two_segments' | 'leading_dot' | 'repeated_signature';
const framingArb = (variety: number): fc.Arbitrary<Framing> =>
  fc.oneof(
    { weight: Math.ceil(40 / variety), arbitrary: fc.constant<Framing>('three') },
    { weight: 1, arbitrary: fc.constantFrom<Framing>('extra_segment', 'trailing_dot', 'two_segments', 'leading_dot', 'repeated_signature') },
  );

function frame(header: string, payload: string, signature: string, framing: Framing): string {
  switch (framing) {
    case 'three':
      return `${header}.${payload}.${signature}`;
    case 'extra_segment':
      return `${header}.${payload}.${signature}.${payload}`;
    case 'trailing_dot':
      return `${header}.${payload}.${signature}.`;
    case 'two_segments':
      return `${header}.${payload}`;
    case 'leading_dot':
      return `.${header}.${payload}.${signature}`;
    case 'repeated_signature':
      return `${header}.${payload}.${signature}${signature}`;
  }
}

interface TokenModel {
  readonly world: number;
  readonly nowOffsetMs: number;
  readonly header: HeaderModel;
  readonly payload: PayloadModel;
  readonly headerLayout: Layout;
  readonly payloadLayout: Layout;
  readonly spellings: readonly [Spelling, Spelling, Spelling];
  readonly spellAt: number;
  readonly signer: Signer;
  readonly framing: Framing;
}

/**
 * A signed token. `variety` tunes how often each part departs from a normal Stytch token (1:
 * rarely, larger: more often); the signature covers exactly the header and payload text sent.
 */
function tokenModelArb(focus: { header: number; payload: number; encoding: number }): fc.Arbitrary<TokenModel> {
  return fc.record({
    world: fc.nat({ max: WORLDS.length - 1 }),
    nowOffsetMs: fc.oneof(fc.constantFrom(0, 1, 499, 500, 999), fc.nat({ max: 999 })),
    header: headerArb(focus.header),
    payload: payloadArb(focus.payload),
    headerLayout: focus.header > 1 ? layoutArb : fc.constant({ gap: '', bom: false }),
    payloadLayout: focus.payload > 1 ? layoutArb : fc.constant({ gap: '', bom: false }),
    spellings: fc.tuple(spellingArb(focus.encoding), spellingArb(focus.encoding), spellingArb(focus.encoding)),
    spellAt: fc.nat({ max: 10_000 }),
    signer: signerArb(focus.header),
    framing: framingArb(focus.encoding),
  });
}

function tokenOf(model: TokenModel): string {
  const header = spell(Buffer.from(headerJson(model.header, model.headerLayout), 'utf8'), model.spellings[0], model.spellAt);
  const payload = spell(Buffer.from(payloadJson(model.payload, model.payloadLayout), 'utf8'), model.spellings[1], model.spellAt);
  const signature = spell(signatureOf(model.signer, `${header}.${payload}`), model.spellings[2], model.spellAt);
  return frame(header, payload, signature, model.framing);
}

/** One change to a token's text after signing (the signature is not recomputed). */
type Mutation = { readonly op: 'replace' | 'delete' | 'insert' | 'swap_case' | 'spare_bits' | 'pad' | 'space' | 'truncate' | 'double_dot'; readonly segment: number; readonly at: number; readonly char: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'insert', 'swap_case', 'spare_bits', 'spare_bits', 'pad', 'space', 'truncate', 'double_dot'),
  segment: fc.nat({ max: 2 }),
  at: fc.nat({ max: 100_000 }),
  char: fc.nat({ max: ALPHABET.length + 4 }),
});

const MUTATION_CHARS = `${ALPHABET}=+/ .`;

function mutate(token: string, mutation: Mutation): string {
  const parts = token.split('.');
  const index = mutation.segment % parts.length;
  const segment = parts[index]!;
  const at = segment.length === 0 ? 0 : mutation.at % segment.length;
  const char = MUTATION_CHARS[mutation.char % MUTATION_CHARS.length]!;
  let next: string;
  switch (mutation.op) {
    case 'replace': {
      // Never "replace" a character by itself: the token must change.
      const replacement = char === segment[at] ? ALPHABET[(ALPHABET.indexOf(char) + 1) % ALPHABET.length]! : char;
      next = segment.slice(0, at) + replacement + segment.slice(at + 1);
      break;
    }
    case 'delete':
      next = segment.slice(0, at) + segment.slice(at + 1);
      break;
    case 'insert':
      next = segment.slice(0, at) + char + segment.slice(at);
      break;
    case 'swap_case': {
      const c = segment[at] ?? 'a';
      next = segment.slice(0, at) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + segment.slice(at + 1);
      break;
    }
    case 'spare_bits':
      next = withSpareBits(segment);
      break;
    case 'pad':
      next = `${segment}=`;
      break;
    case 'space':
      next = `${segment.slice(0, at)} ${segment.slice(at)}`;
      break;
    case 'truncate':
      next = segment.slice(0, at);
      break;
    case 'double_dot':
      next = `${segment}.`;
      break;
  }
  parts[index] = next;
  return parts.join('.');
}

// ---------------------------------------------------------------------------------------------

async function run(name: string, property: fc.IAsyncProperty<[TokenModel, Mutation[]]>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns, endOnFailure: false });
  } catch (error) {
    throw new Error(`${name}: differential failure with FC_SEED=${SEED} (rerun: FC_SEED=${SEED} npx vitest run test/session/verify-jwt-differential.test.ts)\n${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function differential(focus: { header: number; payload: number; encoding: number }, mutations: { min: number; max: number }) {
  return fc.asyncProperty(tokenModelArb(focus), fc.array(mutationArb, { minLength: mutations.min, maxLength: mutations.max }), async (model, changes) => {
    const world = WORLDS[model.world]!;
    const token = tokenOf(model);
    await check(world, model.nowOffsetMs, token);
    for (const change of changes) await check(world, model.nowOffsetMs, mutate(token, change));
  });
}

/** A token from literal JSON texts, signed by K1 over exactly what it carries. */
function literal(header: string, payload: string): string {
  const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${signatureOf('k1', input).toString('base64url')}`;
}

const GOOD_HEADER = '{"alg":"RS256","typ":"JWT","kid":"k1"}';
const goodPayload = (overrides: string): string =>
  `{"iss":${str(ISSUERS[0]!)},"aud":[${str(PROJECT)}],"sub":"member-test-1","iat":${NOW_S - 10},"nbf":${NOW_S - 10},"exp":${NOW_S + 300},"${SESSION_CLAIM}":${sessionClaim(iso(3_600_000), '["stytch_member"]', false)},"${ORGANIZATION_CLAIM}":${ORG_NORMAL}${overrides}}`;

describe('where jose is lenient and ours refuses by design (one token each)', () => {
  const world = WORLDS[0]!;
  async function both(token: string): Promise<{ ours: JwtVerification; jose: JoseAnswer }> {
    clockMs = NOW_S * 1000;
    return { ours: await world.ours!.verify(token), jose: await askJose(world, token) };
  }

  it('a normal Stytch-shaped token: both accept, with the same claims', async () => {
    const { ours, jose } = await both(literal(GOOD_HEADER, goodPayload('')));
    expect(jose.kind).toBe('accepted');
    expect(ours).toMatchObject({ kind: 'valid', identity: { memberId: 'member-test-1', sessionId: 'member-session-test-1' } });
  });

  it('encoding: the same signature re-spelled with spare bits set in its last character', async () => {
    const token = literal(GOOD_HEADER, goodPayload(''));
    const respelled = withSpareBits(token);
    expect(respelled).not.toBe(token);
    const { ours, jose } = await both(respelled);
    expect(jose.kind).toBe('accepted');
    expect(ours).toEqual({ kind: 'invalid', detail: 'signature_encoding' });
  });

  it('header_param: crit ["b64"] with b64 true', async () => {
    const { ours, jose } = await both(literal('{"alg":"RS256","typ":"JWT","kid":"k1","crit":["b64"],"b64":true}', goodPayload('')));
    expect(jose.kind).toBe('accepted');
    expect(ours).toEqual({ kind: 'invalid', detail: 'header_crit' });
  });

  it('non_finite_time: exp 1e999, which JSON reads as Infinity', async () => {
    const { ours, jose } = await both(literal(GOOD_HEADER, goodPayload(',"exp":1e999')));
    expect(jose.kind).toBe('accepted');
    expect(ours).toEqual({ kind: 'invalid', detail: 'exp_type' });
  });

  it('sub_type: an M2M-shaped token whose sub is a number', async () => {
    const payload = `{"iss":${str(ISSUERS[0]!)},"aud":[${str(PROJECT)}],"sub":1,"iat":${NOW_S - 10},"exp":${NOW_S + 300},"scope":"read:documents"}`;
    const { ours, jose } = await both(literal(GOOD_HEADER, payload));
    expect(jose.kind).toBe('accepted');
    expect(ours).toEqual({ kind: 'invalid', detail: 'sub' });
  });

  it('iat_future: iat a minute ahead, without nbf', async () => {
    const payload = goodPayload('').replace(`"nbf":${NOW_S - 10},`, '').replace(`"iat":${NOW_S - 10}`, `"iat":${NOW_S + 60}`);
    const { ours, jose } = await both(literal(GOOD_HEADER, payload));
    expect(jose.kind).toBe('accepted');
    expect(ours).toEqual({ kind: 'invalid', detail: 'iat_future' });
  });
});

describe(`SessionJwtVerifier against jose jwtVerify (differential, seed ${SEED})`, () => {
  it('claims: iss, aud, sub and the time claims at every boundary, with the Stytch claims, agree with jose', async () => {
    await run('claims', differential({ header: 1, payload: 3, encoding: 1 }, { min: 1, max: 1 }), 12_000);
  }, 120_000);

  it('headers, signatures and spellings: alg/typ/kid variants, crit and key parameters, foreign signatures, non-canonical base64url agree with jose', async () => {
    await run('headers', differential({ header: 4, payload: 1, encoding: 4 }, { min: 2, max: 2 }), 9_000);
  }, 120_000);

  it('mutations: bytes changed, inserted or dropped in any segment of a good token agree with jose', async () => {
    await run('mutations', differential({ header: 1, payload: 1, encoding: 1 }, { min: 14, max: 14 }), 3_500);
  }, 120_000);

  it('covered more than 100 000 tokens and every kind of answer', () => {
    console.log(`differential: ${checked} tokens\n${[...tally].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    expect(checked).toBeGreaterThanOrEqual(100_000);
    const count = (key: string): number => tally.get(key) ?? 0;
    for (const kind of ['valid', 'refresh', 'not_a_session', 'invalid']) expect(count(`jose accepted -> ${kind}`)).toBeGreaterThan(100);
    expect(count('jose expired -> refresh')).toBeGreaterThan(100);
    expect(count('jose refused -> invalid')).toBeGreaterThan(10_000);
    for (const rule of ['encoding', 'header_param', 'non_finite_time', 'sub_type', 'iat_future']) {
      expect(count(`jose accepted -> invalid (stricter: ${rule})`) + count(`jose expired -> invalid (stricter: ${rule})`)).toBeGreaterThan(20);
    }
  });
});
