/**
 * The pure machine-token rules: telling sessions, M2M and Connected-App tokens apart, the strict
 * `scope` parser, the identity built from a verified payload, and the SDK's scope matching.
 */
import { describe, expect, it } from 'vitest';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../../src/client/types.js';
import { grantingScope, indexScopes, missingScope, scopesGranting } from '../../src/rbac/scopes.js';
import { machineIdentityFromPayload, parseScopeClaim, tokenKindOf } from '../../src/session/machine-claims.js';

const BASE = { iss: 'stytch.com/project-test-1', aud: ['project-test-1'], sub: 'm2m-client-test-1', iat: 1_800_000_000, exp: 1_800_003_600 };

describe('tokenKindOf', () => {
  it('tells sessions, M2M and Connected-App tokens apart, and calls a token with both session claim and scope ambiguous', () => {
    expect(tokenKindOf({ ...BASE, [SESSION_CLAIM]: {} })).toBe('session');
    expect(tokenKindOf({ ...BASE })).toBe('session');
    expect(tokenKindOf({ ...BASE, scope: 'a' })).toBe('m2m');
    expect(tokenKindOf({ ...BASE, scope: 'a', client_id: 'connected-app-test-1' })).toBe('connected_app');
    expect(tokenKindOf({ ...BASE, scope: 'a', [SESSION_CLAIM]: {} })).toBe('ambiguous');
  });
});

describe('parseScopeClaim', () => {
  it.each([
    ['', []],
    ['read:documents', ['read:documents']],
    ['read:documents write:documents', ['read:documents', 'write:documents']],
    ['openid email', ['openid', 'email']],
  ])('parses %j', (value, scopes) => {
    expect(parseScopeClaim(value)).toEqual(scopes);
  });

  it.each([[['read']], [' read'], ['read '], ['a  b'], ['a\tb'], ['a\nb'], ['a"b'], ['a\\b'], [1], [null], [undefined], ['x'.repeat(8193)], [Array(300).fill('s').join(' ')]])(
    'refuses %j',
    (value) => {
      expect(parseScopeClaim(value)).toBeUndefined();
    },
  );
});

describe('machineIdentityFromPayload', () => {
  it('builds an M2M identity: the client is the subject, custom claims without the reserved ones', () => {
    const identity = machineIdentityFromPayload({ ...BASE, jti: 'j', scope: 'read:documents', tenant: 'x' }, 'm2m');
    expect(identity).toMatchObject({ tokenType: 'm2m', clientId: 'm2m-client-test-1', subject: 'm2m-client-test-1', scopes: ['read:documents'], organizationId: undefined, issuedAt: BASE.iat, expiresAt: BASE.exp });
    expect({ ...(identity as { customClaims: object }).customClaims }).toEqual({ tenant: 'x' });
    expect(Object.getPrototypeOf((identity as { customClaims: object }).customClaims)).toBeNull();
  });

  it('requires client_id and the organization claim of a Connected-App token', () => {
    const payload = { ...BASE, sub: 'member-test-1', scope: 'openid', client_id: 'connected-app-test-1', [ORGANIZATION_CLAIM]: { organization_id: 'organization-test-1', slug: 'acme' } };
    expect(machineIdentityFromPayload(payload, 'connected_app')).toMatchObject({ clientId: 'connected-app-test-1', subject: 'member-test-1', organizationId: 'organization-test-1', organizationSlug: 'acme' });
    expect(machineIdentityFromPayload({ ...payload, [ORGANIZATION_CLAIM]: undefined }, 'connected_app')).toBe('organization');
    expect(machineIdentityFromPayload({ ...payload, client_id: '' }, 'connected_app')).toBe('client_id');
  });

  it('names the broken rule', () => {
    expect(machineIdentityFromPayload({ ...BASE, scope: ['a'] }, 'm2m')).toBe('scope');
    expect(machineIdentityFromPayload({ ...BASE, sub: 7, scope: 'a' }, 'm2m')).toBe('sub');
    expect(machineIdentityFromPayload({ ...BASE, scope: 'a', [ORGANIZATION_CLAIM]: 'acme' }, 'm2m')).toBe('organization');
    expect(machineIdentityFromPayload(JSON.parse('{"__proto__":{"x":1},"sub":"s","scope":"a"}') as Record<string, unknown>, 'm2m')).toBe('proto');
  });
});

describe('scope matching (the SDK rule) and the policy mapping', () => {
  it('matches action:resource with a resource wildcard only', () => {
    expect(missingScope(indexScopes(['read:*']), ['read:documents'])).toBeUndefined();
    expect(missingScope(indexScopes(['read']), ['read:documents'])).toBe('read:documents');
    expect(missingScope(indexScopes(['read:documents']), ['read'])).toBe('read');
    expect(missingScope(indexScopes(['*:documents']), ['write:documents'])).toBe('write:documents');
    expect(missingScope(indexScopes(['read:documents']), ['read:documents', 'write:documents'])).toBe('write:documents');
  });

  it('maps scopes to permissions through the policy, ignoring malformed entries', () => {
    const policy = {
      roles: [],
      resources: [],
      scopes: [
        { scope: 'read:documents', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }] },
        { scope: 'all', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
        { scope: 'broken', description: '', permissions: 'nope' } as never,
      ],
    };
    expect(grantingScope(policy, ['read:documents'], 'documents', 'read')).toBe('read:documents');
    expect(grantingScope(policy, ['read:documents'], 'documents', 'write')).toBeUndefined();
    expect(grantingScope(policy, ['all'], 'documents', 'delete')).toBe('all');
    expect(grantingScope(policy, ['broken'], 'documents', 'read')).toBeUndefined();
    expect(scopesGranting(policy, 'documents', 'write')).toEqual(['all']);
  });
});
