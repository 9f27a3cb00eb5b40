/**
 * Shared set-up of the conformance suite: one emulator per file, the official `stytch` SDK
 * pointed at it, and members acting through member-session headers with roles that grant
 * exactly the actions a test names.
 *
 * The SDK's `custom_base_url` must be https, so the client is built with `env` (the loopback
 * URL), as in the other emulator tests.
 */
import * as stytch from 'stytch';
import { expect, vi } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { useEmulator, type EmulatorOptions } from '../../helpers/emulator.js';
import { newEmail, newOrg, uniq } from '../support.js';

export { newEmail, newOrg, uniq };

/** Starts the file's emulator and SDK client; call at module level. */
export function useConformance(options: EmulatorOptions = {}): { emu: () => Emulator; sdk: () => stytch.B2BClient } {
  const emu = useEmulator(options);
  let client: stytch.B2BClient | undefined;
  return {
    emu,
    sdk: () => {
      if (!client) {
        const e = emu();
        // The SDK warns once about a custom `env`; keep the output clean.
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
        client = new stytch.B2BClient({ project_id: e.projectId, secret: e.secret, env: `${e.url}/` });
        warn.mockRestore();
      }
      return client;
    },
  };
}

export type Grant = { resource_id: string; actions: string[] };

const orgRoles = new Map<string, { role_id: string; description: string; permissions: Grant[] }[]>();

/**
 * An active member of `organizationId` holding a fresh organization role with exactly `grants`
 * (besides every member's `stytch_member`, which grants `*` on `stytch.self`), and a session.
 * `as` / `asJwt` are the SDK's options argument carrying the member-session header.
 */
export function actor(e: Emulator, organizationId: string, grants: Grant[] = [], extra: { roles?: string[]; password?: string } = {}) {
  const roleId = `role-${uniq()}`;
  const roles = [...(orgRoles.get(organizationId) ?? []), { role_id: roleId, description: 'conformance', permissions: grants }];
  orgRoles.set(organizationId, roles);
  e.admin.setOrgPolicy(organizationId, { roles });
  const email = newEmail('actor');
  const member = e.admin.createMember(organizationId, { email_address: email, status: 'active', roles: [roleId, ...(extra.roles ?? [])], ...(extra.password ? { password: extra.password } : {}) });
  const session = e.admin.createSession({ member_id: member.member_id });
  return {
    member,
    email,
    session,
    as: { authorization: { session_token: session.session_token } },
    asJwt: { authorization: { session_jwt: session.session_jwt } },
  };
}

/** Asserts that an SDK call failed with this Stytch status and error type. */
export async function expectStytch(promise: Promise<unknown>, status: number, errorType: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${status} ${errorType}`).toBeInstanceOf(stytch.StytchError);
  expect(error).toMatchObject({ status_code: status, error_type: errorType });
}

/** The documented refusal of a member-session call (reference A6.1, A12). */
export function expectRefused(promise: Promise<unknown>): Promise<void> {
  return expectStytch(promise, 403, 'session_authorization_error');
}
