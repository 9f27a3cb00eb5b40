import { describe, expect, it } from 'vitest';
import type { AuthorizationCheck, OrgPolicy, RbacPolicy } from '../../src/client/types.js';
import { evaluateAuthorization } from '../../src/rbac/evaluate.js';

const ORG_A = 'organization-test-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const ORG_B = 'organization-test-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

const policy: RbacPolicy = {
  resources: [
    { resource_id: 'documents', description: '', actions: ['read', 'write', 'delete'] },
    { resource_id: 'images', description: '', actions: ['read', 'write'] },
  ],
  roles: [
    { role_id: 'stytch_member', description: '', permissions: [{ resource_id: 'stytch.self', actions: ['*'] }] },
    { role_id: 'reader', description: '', permissions: [{ resource_id: 'documents', actions: ['read'] }, { resource_id: 'images', actions: ['read'] }] },
    { role_id: 'writer', description: '', permissions: [{ resource_id: 'documents', actions: ['read', 'write'] }] },
    { role_id: 'doc_admin', description: '', permissions: [{ resource_id: 'documents', actions: ['*'] }] },
  ],
};

function decide(roles: readonly string[], check: Partial<AuthorizationCheck>, options: { orgPolicy?: OrgPolicy; subjectOrg?: string; policy?: RbacPolicy } = {}) {
  return evaluateAuthorization({
    policy: options.policy ?? policy,
    orgPolicy: options.orgPolicy,
    subjectRoles: roles,
    subjectOrganizationId: options.subjectOrg ?? ORG_A,
    check: { organization_id: ORG_A, resource_id: 'documents', action: 'read', ...check },
  });
}

describe('evaluateAuthorization', () => {
  it('catalogue #54: allows an exact match, the * action, several roles; refuses wrong action, wrong resource, other tenant', () => {
    expect(decide(['reader'], {})).toEqual({ authorized: true, grantingRoles: ['reader'] });
    expect(decide(['doc_admin'], { action: 'delete' })).toEqual({ authorized: true, grantingRoles: ['doc_admin'] });
    expect(decide(['reader', 'writer', 'doc_admin'], {})).toEqual({ authorized: true, grantingRoles: ['reader', 'writer', 'doc_admin'] });
    expect(decide(['reader'], { action: 'write' })).toEqual({ authorized: false, grantingRoles: [], reason: 'permission_denied' });
    expect(decide(['writer'], { resource_id: 'images' })).toEqual({ authorized: false, grantingRoles: [], reason: 'permission_denied' });
    expect(decide(['doc_admin'], { organization_id: ORG_B })).toEqual({ authorized: false, grantingRoles: [], reason: 'tenancy_mismatch' });
  });

  it('treats * as an action wildcard for its one resource only, never as a resource wildcard', () => {
    expect(decide(['doc_admin'], { resource_id: 'images' }).authorized).toBe(false);
    const starResource: RbacPolicy = { resources: [], roles: [{ role_id: 'r', description: '', permissions: [{ resource_id: '*', actions: ['*'] }] }] };
    expect(decide(['r'], {}, { policy: starResource }).reason).toBe('permission_denied');
    expect(decide(['r'], { resource_id: '*', action: 'anything' }, { policy: starResource }).authorized).toBe(true);
  });

  it('matches exactly and case-sensitively, with no prefix semantics for dotted actions', () => {
    expect(decide(['reader'], { action: 'Read' }).authorized).toBe(false);
    expect(decide(['reader'], { resource_id: 'Documents' }).authorized).toBe(false);
    expect(decide(['Reader'], {}).authorized).toBe(false);
    const dotted: RbacPolicy = { resources: [], roles: [{ role_id: 'r', description: '', permissions: [{ resource_id: 'stytch.member', actions: ['update.info'] }] }] };
    expect(decide(['r'], { resource_id: 'stytch.member', action: 'update.info.name' }, { policy: dotted }).authorized).toBe(false);
  });

  it('checks tenancy first and exactly: a slug, a case variant or a padded id is a mismatch', () => {
    expect(decide(['doc_admin'], { organization_id: 'acme' }).reason).toBe('tenancy_mismatch');
    expect(decide(['doc_admin'], { organization_id: ORG_A.toUpperCase() }).reason).toBe('tenancy_mismatch');
    expect(decide(['doc_admin'], { organization_id: ` ${ORG_A}` }).reason).toBe('tenancy_mismatch');
    // tenancy wins even when the role would grant nothing
    expect(decide([], { organization_id: ORG_B }).reason).toBe('tenancy_mismatch');
  });

  it('catalogue #55: refuses empty roles, unknown roles and a policy without roles', () => {
    expect(decide([], {}).reason).toBe('permission_denied');
    expect(decide(['ghost'], {}).reason).toBe('permission_denied');
    expect(decide(['reader'], {}, { policy: { roles: [], resources: [] } }).reason).toBe('permission_denied');
    expect(decide(['ghost', 'reader'], {})).toEqual({ authorized: true, grantingRoles: ['reader'] });
  });

  it('merges the organization custom roles and adds up a role defined in both policies', () => {
    const orgPolicy: OrgPolicy = {
      roles: [
        { role_id: 'auditor', description: '', permissions: [{ resource_id: 'images', actions: ['read'] }] },
        { role_id: 'reader', description: '', permissions: [{ resource_id: 'documents', actions: ['export'] }] },
      ],
    };
    expect(decide(['auditor'], { resource_id: 'images' }, { orgPolicy }).grantingRoles).toEqual(['auditor']);
    expect(decide(['reader'], { action: 'export' }, { orgPolicy }).authorized).toBe(true);
    expect(decide(['reader'], { action: 'read' }, { orgPolicy }).authorized).toBe(true);
    expect(decide(['auditor'], { resource_id: 'images' }).authorized).toBe(false);
  });

  it('lists each granting role once, in session order, even when the session repeats it', () => {
    expect(decide(['writer', 'reader', 'writer'], {}).grantingRoles).toEqual(['writer', 'reader']);
  });

  it('catalogue #62: prototype-like ids in policy data and checks behave like any other string', () => {
    const protoPolicy = JSON.parse(
      '{"resources":[],"roles":[' +
        '{"role_id":"__proto__","description":"","permissions":[{"resource_id":"constructor","actions":["hasOwnProperty"]}]},' +
        '{"role_id":"constructor","description":"","permissions":[{"resource_id":"__proto__","actions":["*"]}]},' +
        '{"role_id":"hasOwnProperty","description":"","permissions":[{"resource_id":"toString","actions":["valueOf"]}]}]}',
    ) as RbacPolicy;
    const d = (roles: string[], resource_id: string, action: string) => decide(roles, { resource_id, action }, { policy: protoPolicy }).authorized;
    expect(d(['__proto__'], 'constructor', 'hasOwnProperty')).toBe(true);
    expect(d(['__proto__'], 'constructor', 'toString')).toBe(false);
    expect(d(['constructor'], '__proto__', 'anything')).toBe(true);
    expect(d(['constructor'], 'constructor', 'hasOwnProperty')).toBe(false);
    expect(d(['hasOwnProperty'], 'toString', 'valueOf')).toBe(true);
    expect(d(['toString'], 'toString', 'valueOf')).toBe(false);
    expect(d(['valueOf', '__defineGetter__'], 'documents', 'read')).toBe(false);
    // No pollution: ordinary objects did not gain anything.
    expect(Object.getOwnPropertyNames({})).toEqual([]);
    expect(typeof Object.prototype.hasOwnProperty).toBe('function');
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('catalogue #60: missing or malformed subject, check or policy data denies and never throws', () => {
    const bad: unknown[] = [
      { policy, subjectRoles: 'reader', subjectOrganizationId: ORG_A, check: { organization_id: ORG_A, resource_id: 'documents', action: 'read' } },
      { policy, subjectRoles: ['reader'], subjectOrganizationId: '', check: { organization_id: '', resource_id: 'documents', action: 'read' } },
      { policy, subjectRoles: ['reader'], subjectOrganizationId: ORG_A, check: { organization_id: ORG_A, resource_id: 'documents' } },
      { policy, subjectRoles: ['reader'], subjectOrganizationId: ORG_A, check: null },
      { policy, subjectRoles: ['reader'], subjectOrganizationId: undefined, check: { organization_id: ORG_A, resource_id: 'documents', action: 'read' } },
      { policy: null, subjectRoles: ['reader'], subjectOrganizationId: ORG_A, check: { organization_id: ORG_A, resource_id: 'documents', action: 'read' } },
      { policy: { roles: 'reader' }, subjectRoles: ['reader'], subjectOrganizationId: ORG_A, check: { organization_id: ORG_A, resource_id: 'documents', action: 'read' } },
      null,
    ];
    for (const input of bad) {
      expect(evaluateAuthorization(input as never)).toEqual({ authorized: false, grantingRoles: [], reason: 'invalid_input' });
    }
  });

  it('catalogue #60: malformed roles and permissions inside a policy grant nothing but do not hide valid ones', () => {
    const messy = {
      resources: [],
      roles: [
        null,
        { role_id: 'reader', permissions: 'all' },
        { role_id: 'reader', permissions: [null, { resource_id: 'documents', actions: 'read' }, { resource_id: 'documents', actions: [1, 'read'] }] },
        { role_id: 42, permissions: [{ resource_id: 'documents', actions: ['*'] }] },
      ],
    } as unknown as RbacPolicy;
    expect(decide(['reader'], {}, { policy: messy }).authorized).toBe(true);
    expect(decide(['reader'], { action: 'write' }, { policy: messy }).authorized).toBe(false);
    expect(decide([42, 'x'] as never, {}, { policy: messy }).authorized).toBe(false);
    expect(decide(['reader'], {}, { policy: policy, orgPolicy: { roles: 'x' } as never }).authorized).toBe(true);
  });
});
