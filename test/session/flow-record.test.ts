import { describe, expect, it } from 'vitest';
import { FLOW_ID, decodeFlowRecord, emailDigest, encodeFlowRecord, flowBindingBroken, flowIdHasChallenge, newFlowId } from '../../src/session/flow-record.js';
import type { FlowRecord } from '../../src/session/flow-record.js';

const record: FlowRecord = {
  kind: 'login_email',
  startedAt: 1_700_000_000_000,
  verifier: 'v'.repeat(43),
  organizationId: 'organization-test-1',
  memberId: 'member-test-1',
  emailDigest: emailDigest('Ada@Example.com'),
  returnTo: '/reports?q=1',
};

const raw = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('flow records', () => {
  it('round-trip through their cookie form', () => {
    expect(decodeFlowRecord(encodeFlowRecord(record))).toEqual(record);
    expect(decodeFlowRecord(encodeFlowRecord({ kind: 'sso', startedAt: 1, continuesIst: true }))).toEqual({ kind: 'sso', startedAt: 1, continuesIst: true });
  });

  it('read anything malformed as no flow at all, never as a flow with fewer bindings', () => {
    for (const value of ['', 'not base64!', raw([]), raw(null), raw({ k: 'root', t: 1 }), raw({ k: 'sso' }), raw({ k: 'sso', t: 1, o: 'bad id' }), raw({ k: 'sso', t: 1, v: 'short' }), raw({ k: 'sso', t: 1, m: 5 }), raw({ k: 'sso', t: 1, e: 'x' })]) {
      expect(decodeFlowRecord(value)).toBeUndefined();
    }
  });

  it('drop an unsafe return_to but keep the flow (a return_to binds nothing)', () => {
    expect(decodeFlowRecord(raw({ k: 'sso', t: 1, r: '//evil.example' }))).toEqual({ kind: 'sso', startedAt: 1 });
  });

  it('fail closed: a bound field the result does not report is broken', () => {
    expect(flowBindingBroken(record, { organizationId: 'organization-test-1', memberId: 'member-test-1', email: ' ada@example.COM ' })).toBeUndefined();
    expect(flowBindingBroken(record, { organizationId: 'organization-test-2', memberId: 'member-test-1', email: 'ada@example.com' })).toBe('organization');
    expect(flowBindingBroken(record, { organizationId: 'organization-test-1', memberId: 'member-test-2', email: 'ada@example.com' })).toBe('member');
    expect(flowBindingBroken(record, { organizationId: 'organization-test-1', memberId: 'member-test-1', email: 'eve@example.com' })).toBe('email');
    expect(flowBindingBroken(record, { organizationId: 'organization-test-1', memberId: 'member-test-1' })).toBe('email');
    expect(flowBindingBroken(record, {})).toBe('organization');
    expect(flowBindingBroken({ kind: 'discovery_oauth', startedAt: 1 }, {})).toBeUndefined();
  });

  it('ids say whether their flow carries a challenge', () => {
    const withChallenge = newFlowId(true);
    const without = newFlowId(false);
    expect(withChallenge).toMatch(FLOW_ID);
    expect(without).toMatch(FLOW_ID);
    expect(flowIdHasChallenge(withChallenge)).toBe(true);
    expect(flowIdHasChallenge(without)).toBe(false);
    expect(newFlowId(true)).not.toBe(withChallenge);
  });
});
