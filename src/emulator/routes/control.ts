/**
 * `/__emulator/*`: the HTTP control plane, for tests that drive the emulator from another
 * process (Basic auth like the API; these calls are not recorded in the call log).
 */
import type { RbacPolicy } from '../../client/types.js';
import type { FaultQueue } from '../faults.js';
import type { Router } from '../router.js';
import type { EmulatorAdmin, EmulatorFault } from '../types.js';
import { isPlainObject, optBool, optInt, optString } from '../validate.js';

export function controlRoutes(router: Router, faults: FaultQueue, admin: EmulatorAdmin): void {
  router.add('GET', '/__emulator/outbox', ({ state, query }) => {
    const to = query.get('to');
    const kind = query.get('kind');
    return { messages: state.outbox.filter((m) => (!to || m.to === to.toLowerCase() || m.to === to) && (!kind || m.kind === kind)) };
  });
  router.add('DELETE', '/__emulator/outbox', ({ state }) => {
    state.outbox = [];
    return {};
  });

  router.add('GET', '/__emulator/clock', ({ state }) => ({ now_ms: state.now() }));
  router.add('POST', '/__emulator/clock', ({ state, body }) => {
    const advance = optInt(body, 'advance_ms', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const set = optInt(body, 'set_ms', 0, Number.MAX_SAFE_INTEGER);
    if ((advance === undefined) === (set === undefined)) throw new TypeError('pass exactly one of advance_ms or set_ms');
    if (advance !== undefined) state.clock.advance(advance);
    if (set !== undefined) state.clock.set(set);
    return { now_ms: state.now() };
  });

  router.add('POST', '/__emulator/faults', ({ body }) => {
    const endpoint = optString(body, 'endpoint');
    if (!endpoint) throw new TypeError('endpoint is required');
    const times = optInt(body, 'times', 1, 1_000_000);
    faults.next(endpoint, body.fault as EmulatorFault, times ?? 1);
    return {};
  });
  router.add('DELETE', '/__emulator/faults', () => {
    faults.clear();
    return {};
  });

  router.add('GET', '/__emulator/calls', ({ state }) => ({ calls: state.calls.map((c) => ({ ...c })) }));
  router.add('DELETE', '/__emulator/calls', ({ state }) => {
    state.calls = [];
    return {};
  });

  router.add('POST', '/__emulator/keys/rotate', ({ body }) => admin.rotateKeys({ keepOld: optBool(body, 'keep_old') ?? true }));

  router.add('PUT', '/__emulator/policy', ({ body }) => {
    const policy = isPlainObject(body.policy) ? body.policy : body;
    admin.setProjectPolicy(policy as unknown as RbacPolicy);
    return { policy: admin.getProjectPolicy() };
  });

  router.add('POST', '/__emulator/reset', () => {
    admin.reset();
    faults.clear();
    return {};
  });

  // Seeding over HTTP, for the CLI emulator driven from another process.
  router.add('POST', '/__emulator/organizations', ({ body }) => ({ organization: admin.createOrganization(body as never) }));
  router.add('POST', '/__emulator/organizations/:organization_id/members', ({ params, body }) => ({
    member: admin.createMember(params.organization_id ?? '', body as never),
  }));
  router.add('POST', '/__emulator/sessions', ({ body }) => admin.createSession(body as never) as unknown as Record<string, unknown>);
}
