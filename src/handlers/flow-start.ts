/**
 * Starting a flow: every route that sends the browser (or an email) towards Stytch's callback
 * prepares one here. The flow gets its own id, carried as `?flow=<id>` on the redirect URL given
 * to Stytch, and its own cookie holding the PKCE verifier and what the flow is bound to; the
 * cookie is written only once Stytch accepted the start, so a failed start leaves nothing behind.
 *
 * Unsure in the sources: Stytch's redirect-URL guide (workspace management) lets a registered
 * redirect URL carry arbitrary query parameters ("state data"), while its older API page on URL
 * validation says the match is exact, query parameters included. The default follows the guide;
 * `flowParam: false` serves the exact reading: the callback URL goes out as registered, the
 * browser's pending flows share one verifier, and the callback picks the flow by its bindings
 * after Stytch's answer (callback.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { emailDigest, newFlowId } from '../session/flow-record.js';
import type { FlowKind, FlowRecord } from '../session/flow-record.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { callbackUrl } from './callback-url.js';
import { createPkcePair, pkceChallenge } from './pkce.js';
import type { RouteContext } from './route-context.js';

/** What a flow is bound to at its start. */
export interface FlowBindings {
  organizationId?: string | undefined;
  memberId?: string | undefined;
  email?: string | undefined;
  returnTo?: string | undefined;
}

/** A prepared, not yet recorded, flow. */
export interface PreparedFlow {
  readonly id: string;
  /** S256 challenge for the start call; undefined when the flow takes none. */
  readonly challenge: string | undefined;
  /** The callback URL with this flow's id, for the start call's redirect URLs. */
  readonly redirectUrl: string;
  /** Write the flow's cookie (after Stytch accepted the start), with bindings learnt from the answer. */
  commit(req: IncomingMessage, res: ServerResponse, learnt?: { memberId?: string | undefined }): void;
}

function sameStart(record: FlowRecord, kind: FlowKind, bindings: FlowBindings): boolean {
  if (record.kind !== kind || record.verifier === undefined) return false;
  if (record.organizationId !== bindings.organizationId) return false;
  return bindings.email === undefined ? record.emailDigest === undefined : record.emailDigest === emailDigest(bindings.email);
}

/**
 * Prepare a flow of `kind`. With `reusePending`, a flow of the same kind, organization and address
 * that this browser already started is reused (same id, same verifier, so the same challenge):
 * "send me the link again" then leaves both links working in this browser.
 */
export function prepareFlow(req: IncomingMessage, rc: RouteContext, kind: FlowKind, bindings: FlowBindings, options: { withChallenge: boolean; reusePending?: boolean; continuesIst?: boolean }): PreparedFlow {
  const flows = rc.flow.listFlows(req);
  const pending = options.reusePending === true && options.withChallenge ? flows.find((f) => sameStart(f.record, kind, bindings)) : undefined;
  const id = pending?.id ?? newFlowId(options.withChallenge);
  // Without the flow id on the link (`flowParam: false`) the callback cannot tell the browser's
  // pending flows apart before Stytch answers, so they share one verifier.
  const shared = rc.cfg.flowParam ? undefined : flows.find((f) => f.record.verifier !== undefined)?.record.verifier;
  const verifier = options.withChallenge ? (pending?.record.verifier ?? shared ?? createPkcePair().verifier) : undefined;
  const challenge = verifier === undefined ? undefined : pkceChallenge(verifier);
  const returnTo = bindings.returnTo !== undefined && isSafeReturnTo(bindings.returnTo) ? bindings.returnTo : undefined;
  const base = callbackUrl(req, rc.cfg);
  return {
    id,
    challenge,
    redirectUrl: rc.cfg.flowParam ? `${base}?flow=${id}` : base,
    commit(creq, cres, learnt) {
      const memberId = bindings.memberId ?? learnt?.memberId ?? pending?.record.memberId;
      const record: FlowRecord = {
        kind,
        startedAt: rc.now(),
        ...(verifier === undefined ? {} : { verifier }),
        ...(bindings.organizationId === undefined ? {} : { organizationId: bindings.organizationId }),
        ...(memberId === undefined || memberId === '' ? {} : { memberId }),
        ...(bindings.email === undefined ? {} : { emailDigest: emailDigest(bindings.email) }),
        ...(returnTo === undefined ? {} : { returnTo }),
        ...(options.continuesIst === true ? { continuesIst: true } : {}),
      };
      rc.flow.setFlow(creq, cres, id, record);
    },
  };
}
