/**
 * `organizations.members.search` (reference A11.1; SDK doc comment of `search` in
 * types/lib/b2b/organizations_members.d.ts and `MemberSearchOperand` in organizations.d.ts).
 * Error names are android-enum's; their 400 status is the emulator's [INF].
 */
import type { B2BOrganizationsMembersSearchRequest } from 'stytch';
import { describe, expect, it } from 'vitest';
import { actor, expectRefused, expectStytch, newEmail, newOrg, uniq, useConformance } from './support.js';

const { emu, sdk } = useConformance();

type Query = NonNullable<B2BOrganizationsMembersSearchRequest['query']>;
/** Operands the SDK type would not allow, sent as a client without types would. */
const raw = (operands: unknown[]): Query => ({ operator: 'AND', operands } as unknown as Query);

function seeded() {
  const org = newOrg(emu());
  const tag = uniq();
  const a = emu().admin.createMember(org.organization_id, { email_address: `alpha-${tag}@example.com`, mfa_phone_number: '+14155550111' });
  const b = emu().admin.createMember(org.organization_id, { email_address: `beta-${tag}@example.com`, is_breakglass: true });
  return { org, tag, a, b };
}

describe('members.search: filters', () => {
  it('an empty query returns every non-deleted member (doc comment of search)', async () => {
    // "Submitting an empty `query` returns all non-deleted Members within the specified Organizations."
    const { org, a, b } = seeded();
    await sdk().organizations.members.delete({ organization_id: org.organization_id, member_id: b.member_id });
    const res = await sdk().organizations.members.search({ organization_ids: [org.organization_id] });
    expect(res.members.map((m) => m.member_id)).toEqual([a.member_id]);
    expect(Object.keys(res.organizations)).toEqual([org.organization_id]);
    // A statuses filter can ask for deleted members.
    const deleted = await sdk().organizations.members.search({ organization_ids: [org.organization_id], query: { operator: 'AND', operands: [{ filter_name: 'statuses', filter_value: ['deleted'] }] } });
    expect(deleted.members.map((m) => m.member_id)).toEqual([b.member_id]);
  });

  it('matches each documented filter', async () => {
    // MemberSearchOperand: member_ids, member_emails, member_email_fuzzy, member_is_breakglass,
    // statuses, member_phone_numbers, member_phone_number_fuzzy.
    const { org, tag, a, b } = seeded();
    const find = async (operands: Query['operands']) =>
      (await sdk().organizations.members.search({ organization_ids: [org.organization_id], query: { operator: 'AND', operands } })).members.map((m) => m.member_id);
    expect(await find([{ filter_name: 'member_ids', filter_value: [a.member_id] }])).toEqual([a.member_id]);
    expect(await find([{ filter_name: 'member_emails', filter_value: [b.email_address] }])).toEqual([b.member_id]);
    expect(await find([{ filter_name: 'member_email_fuzzy', filter_value: `pha-${tag}` }])).toEqual([a.member_id]);
    expect(await find([{ filter_name: 'member_is_breakglass', filter_value: true }])).toEqual([b.member_id]);
    expect(await find([{ filter_name: 'statuses', filter_value: ['active'] }])).toEqual([a.member_id, b.member_id]);
    expect(await find([{ filter_name: 'member_phone_numbers', filter_value: ['+14155550111'] }])).toEqual([a.member_id]);
    expect(await find([{ filter_name: 'member_phone_number_fuzzy', filter_value: '555011' }])).toEqual([a.member_id]);
  });

  it('fuzzy filters need at least three characters', async () => {
    // Doc comment of search: "All fuzzy search filters require a minimum of three characters."
    const { org } = seeded();
    const search = (operands: Query['operands']) => sdk().organizations.members.search({ organization_ids: [org.organization_id], query: { operator: 'AND', operands } });
    await expectStytch(search([{ filter_name: 'member_email_fuzzy', filter_value: 'al' }]), 400, 'member_search_member_email_fuzzy_too_short');
    await expectStytch(search([{ filter_name: 'member_phone_number_fuzzy', filter_value: '55' }]), 400, 'member_search_member_mfa_phone_number_fuzzy_too_short');
    expect((await search([{ filter_name: 'member_email_fuzzy', filter_value: 'alp' }])).members).toHaveLength(1);
  });

  it('refuses unknown filters, missing values and values of the wrong type', async () => {
    // A11.1 type errors: member_search_filter_name_not_recognized, _missing_filter_value, _expected_* and
    // search_invalid_status_filter (android-enum names, 400 [INF]).
    const { org } = seeded();
    const search = (operands: unknown[]) => sdk().organizations.members.search({ organization_ids: [org.organization_id], query: raw(operands) });
    await expectStytch(search([{ filter_name: 'member_shoe_size', filter_value: ['42'] }]), 400, 'member_search_filter_name_not_recognized');
    await expectStytch(search([{ filter_name: 'member_ids' }]), 400, 'member_search_missing_filter_value');
    await expectStytch(search([{ filter_name: 'member_ids', filter_value: 'member-1' }]), 400, 'member_search_expected_array_of_strings');
    await expectStytch(search([{ filter_name: 'member_emails', filter_value: [1, 2] }]), 400, 'member_search_expected_array_of_strings');
    await expectStytch(search([{ filter_name: 'member_email_fuzzy', filter_value: ['abc'] }]), 400, 'member_search_expected_string');
    await expectStytch(search([{ filter_name: 'member_is_breakglass', filter_value: 'true' }]), 400, 'member_search_expected_boolean');
    await expectStytch(search([{ filter_name: 'statuses', filter_value: ['retired'] }]), 400, 'search_invalid_status_filter');
  });

  it('organization_ids must hold at least one organization', async () => {
    // Doc comment of search: "An array with at least one `organization_id` is required."
    await expectStytch(sdk().organizations.members.search({ organization_ids: [] }), 400, 'member_search_organization_ids_empty');
    await expectStytch(sdk().organizations.members.search({ organization_ids: ['organization-test-00000000-0000-4000-8000-000000000000'] }), 404, 'organization_not_found');
  });

  it('OR matches any operand, AND every operand', async () => {
    // `query.operator`: AND, or the deprecated OR (A11.1).
    const { org, a, b } = seeded();
    const operands: Query['operands'] = [{ filter_name: 'member_ids', filter_value: [a.member_id] }, { filter_name: 'member_is_breakglass', filter_value: true }];
    const or = await sdk().organizations.members.search({ organization_ids: [org.organization_id], query: { operator: 'OR', operands } });
    expect(or.members.map((m) => m.member_id).sort()).toEqual([a.member_id, b.member_id].sort());
    const and = await sdk().organizations.members.search({ organization_ids: [org.organization_id], query: { operator: 'AND', operands } });
    expect(and.members).toEqual([]);
  });
});

describe('members.search: paging', () => {
  it('limit defaults to 100 and may not exceed 1000; the cursor walks the rest', async () => {
    // B2BOrganizationsMembersSearchRequest `limit`: "default ... 100 ... maximum ... 1000" (A11.1).
    const org = newOrg(emu());
    for (let i = 0; i < 101; i++) emu().admin.createMember(org.organization_id, { email_address: newEmail(`p${i}`) });
    const first = await sdk().organizations.members.search({ organization_ids: [org.organization_id] });
    expect(first.members).toHaveLength(100);
    expect(first.results_metadata.total).toBe(101);
    expect(first.results_metadata.next_cursor).toBeTruthy();
    const rest = await sdk().organizations.members.search({ organization_ids: [org.organization_id], cursor: first.results_metadata.next_cursor! });
    expect(rest.members).toHaveLength(1);
    expect(rest.results_metadata.next_cursor ?? null).toBeNull();
    expect((await sdk().organizations.members.search({ organization_ids: [org.organization_id], limit: 1000 })).members).toHaveLength(101);
    await expectStytch(sdk().organizations.members.search({ organization_ids: [org.organization_id], limit: 1001 }), 400, 'invalid_argument');
  });
});

describe('members.search: member-session headers', () => {
  it('needs search on stytch.member in every organization searched, and no stytch.self alternative', async () => {
    // A6.2: `organizations.members.search` → `stytch.member` `search`, self alternative "no" (browser).
    const { org } = seeded();
    const plain = actor(emu(), org.organization_id, []);
    const searcher = actor(emu(), org.organization_id, [{ resource_id: 'stytch.member', actions: ['search'] }]);
    await expectRefused(sdk().organizations.members.search({ organization_ids: [org.organization_id] }, plain.as));
    expect((await sdk().organizations.members.search({ organization_ids: [org.organization_id] }, searcher.as)).members.length).toBeGreaterThan(0);
    // Another organization in the list: tenancy refuses it (A6.1 rule 3).
    await expectRefused(sdk().organizations.members.search({ organization_ids: [org.organization_id, newOrg(emu()).organization_id] }, searcher.as));
  });
});
