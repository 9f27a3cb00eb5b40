/** `startEmulator`: wires state, routes and the HTTP server together. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin } from './admin.js';
import { createClock } from './clock.js';
import { FaultQueue } from './faults.js';
import { newId } from './ids.js';
import { KeyRing } from './keys.js';
import { passwordSettings } from './password-policy.js';
import { defaultPolicy } from './policy.js';
import { Router } from './router.js';
import { apiRoutes } from './routes/index.js';
import { controlRoutes } from './routes/control.js';
import { ssoControlRoutes } from './routes/sso-control.js';
import { createHandler } from './server.js';
import { EmulatorState } from './state.js';
import type { Emulator, EmulatorOptions, OutboxMessage } from './types.js';

const DEFAULT_REDIRECT = 'http://localhost:3000/authenticate';

function checkOptions(options: EmulatorOptions): void {
  if (options.allowedRedirectUrls !== undefined && (!Array.isArray(options.allowedRedirectUrls) || !options.allowedRedirectUrls.every((u) => typeof u === 'string' && URL.canParse(u)))) {
    throw new TypeError('startEmulator: allowedRedirectUrls must be an array of absolute URLs');
  }
  const { port, maxBodyBytes, startTime } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new TypeError('startEmulator: port must be an integer 0..65535');
  if (maxBodyBytes !== undefined && (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)) throw new TypeError('startEmulator: maxBodyBytes must be a positive integer');
  if (startTime !== undefined && !Number.isFinite(startTime)) throw new TypeError('startEmulator: startTime must be epoch milliseconds');
  for (const [name, value] of [['projectId', options.projectId], ['secret', options.secret], ['publicToken', options.publicToken]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '' || /[^\x21-\x7e]/.test(value) || (name === 'projectId' && value.includes(':')))) {
      throw new TypeError(`startEmulator: ${name} must be a non-empty printable ASCII string`);
    }
  }
}

/**
 * Starts a local Stytch B2B API emulator: a real HTTP server on 127.0.0.1 that the official
 * `stytch` SDK and this library's client can talk to, with a movable clock, scripted faults,
 * a call log, an outbox of "sent" emails/SMS and an in-process admin API.
 *
 * @param options - see {@link EmulatorOptions}; all optional (default port 0 = ephemeral).
 * @returns the running emulator; call `close()` when done.
 * @example
 * const emulator = await startEmulator();
 * const org = emulator.admin.createOrganization({ organization_name: 'Acme' });
 * const member = emulator.admin.createMember(org.organization_id, { email_address: 'ada@acme.test' });
 * const { session_jwt } = emulator.admin.createSession({ member_id: member.member_id });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkOptions(options);
  const keys = await KeyRing.create();
  const clock = createClock(options.startTime);
  const projectId = options.projectId ?? newId('project');
  const secret = options.secret ?? `secret-test-${randomBytes(24).toString('base64url')}`;
  const server = createServer({ keepAliveTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const issuer = `stytch.com/${projectId}`;
  const redirects = options.redirectUrls ?? {};
  const state = new EmulatorState(
    {
      projectId,
      secret,
      url,
      issuer,
      quiet: options.quiet ?? false,
      publicToken: options.publicToken ?? `public-token-test-${randomUUID()}`,
      allowedRedirectUrls: [...(options.allowedRedirectUrls ?? [])],
      exactRedirectUrls: options.exactRedirectUrls === true,
      redirectUrls: {
        login: redirects.login ?? DEFAULT_REDIRECT,
        signup: redirects.signup ?? redirects.login ?? DEFAULT_REDIRECT,
        discovery: redirects.discovery ?? DEFAULT_REDIRECT,
        invite: redirects.invite ?? redirects.login ?? DEFAULT_REDIRECT,
        resetPassword: redirects.resetPassword ?? redirects.login ?? DEFAULT_REDIRECT,
      },
      passwords: passwordSettings(options.passwords),
    },
    clock,
    keys,
    structuredClone(options.policy ?? defaultPolicy()),
  );
  const faults = new FaultQueue();
  const admin = createAdmin(state);
  const api = new Router();
  apiRoutes(api);
  const control = new Router();
  controlRoutes(control, faults, admin);
  ssoControlRoutes(control);
  server.on('request', createHandler({ state, api, control, faults, maxBodyBytes: options.maxBodyBytes ?? 1_048_576 }));

  let closing: Promise<void> | undefined;
  return {
    url,
    projectId,
    secret,
    publicToken: state.settings.publicToken,
    issuer,
    jwksUrl: `${url}/v1/b2b/sessions/jwks/${projectId}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive and deliberately hanging connections would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
    clock,
    faults: {
      next: (endpoint, fault, times) => faults.next(endpoint, fault, times),
      clear: () => faults.clear(),
      pending: () => faults.pending(),
      assertNoPending: () => faults.assertNoPending(),
    },
    calls: {
      list: () => state.calls.map((call) => ({ ...call })),
      count(endpoint) {
        if (endpoint === undefined) return state.calls.length;
        return state.calls.filter((call) => (typeof endpoint === 'string' ? call.endpoint === endpoint : endpoint.test(call.endpoint))).length;
      },
      clear: () => {
        state.calls = [];
      },
    },
    outbox: {
      list: () => state.outbox.map((message) => ({ ...message })),
      latest(filter) {
        const to = filter?.to?.toLowerCase();
        for (let i = state.outbox.length - 1; i >= 0; i--) {
          const message = state.outbox[i] as OutboxMessage;
          if ((to === undefined || message.to.toLowerCase() === to) && (filter?.kind === undefined || message.kind === filter.kind)) return { ...message };
        }
        return undefined;
      },
      clear: () => {
        state.outbox = [];
      },
    },
    admin,
  };
}
