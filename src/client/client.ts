import { inspect } from 'node:util';
import { resolveClientOptions } from './config.js';
import type { StytchClientConfig, StytchClientOptions } from './config.js';
import { Discovery } from './discovery.js';
import { Idp } from './idp.js';
import { M2M } from './m2m.js';
import { MagicLinks } from './magic-links.js';
import { OAuth } from './oauth.js';
import { Organizations } from './organizations.js';
import { Otps } from './otps.js';
import { Passwords } from './passwords.js';
import { Rbac } from './rbac.js';
import { RecoveryCodes } from './recovery-codes.js';
import { Sessions } from './sessions.js';
import { Sso } from './sso.js';
import { Totps } from './totps.js';
import { Transport } from './transport.js';

/**
 * A small, typed client of the Stytch B2B backend API, shaped like the official SDK's tree
 * (`client.sessions.authenticate(...)`) with Stytch's own snake_case fields.
 *
 * Every call has a deadline (default 5 s), only GETs are retried, and failures are typed:
 * `StytchApiError` (Stytch answered 4xx with an error body), `StytchUnavailableError` (timeout,
 * network, 5xx, 429, malformed answer). The secret never appears in errors, logs,
 * `util.inspect(client)` or `JSON.stringify(client)`.
 *
 * @throws {ConfigError} from the constructor when the project id or secret is missing, or the
 *   base URL is not HTTPS (plain HTTP is allowed for loopback hosts only).
 * @example
 * const client = new StytchB2BClient({ projectId: 'project-test-…', secret: process.env.STYTCH_SECRET });
 * const { member_session } = await client.sessions.authenticate({ session_token });
 * await client.close();
 */
export class StytchB2BClient {
  /** Resolved, secret-free configuration (also what the middleware verifies JWTs against). */
  readonly config: StytchClientConfig;
  readonly sessions: Sessions;
  readonly rbac: Rbac;
  readonly magicLinks: MagicLinks;
  readonly otps: Otps;
  readonly totps: Totps;
  readonly recoveryCodes: RecoveryCodes;
  readonly discovery: Discovery;
  readonly organizations: Organizations;
  readonly passwords: Passwords;
  readonly oauth: OAuth;
  readonly sso: Sso;
  readonly m2m: M2M;
  readonly idp: Idp;
  readonly #transport: Transport;

  constructor(options: StytchClientOptions = {}) {
    const resolved = resolveClientOptions(options);
    this.config = resolved.config;
    const transport = new Transport(resolved);
    this.#transport = transport;
    this.sessions = new Sessions(transport, resolved.config.projectId);
    this.rbac = new Rbac(transport);
    this.magicLinks = new MagicLinks(transport);
    this.otps = new Otps(transport);
    this.totps = new Totps(transport);
    this.recoveryCodes = new RecoveryCodes(transport);
    this.discovery = new Discovery(transport);
    this.organizations = new Organizations(transport);
    this.passwords = new Passwords(transport);
    this.oauth = new OAuth(transport);
    this.sso = new Sso(transport);
    this.m2m = new M2M(transport, resolved.config.projectId);
    this.idp = new Idp(transport, resolved.config.projectId);
  }

  /** Closes the client's connection pool; later calls reject. Safe to call twice. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  [inspect.custom](): string {
    return `StytchB2BClient ${inspect({ projectId: this.config.projectId, baseUrl: this.config.baseUrl, timeoutMs: this.config.timeoutMs })}`;
  }

  toJSON(): Record<string, unknown> {
    return { projectId: this.config.projectId, baseUrl: this.config.baseUrl, timeoutMs: this.config.timeoutMs };
  }
}
