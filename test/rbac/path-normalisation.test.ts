import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRole } from '../../src/middleware/require-role.js';
import { useEmulator } from '../helpers/emulator.js';
import { rawRequest, startGuardApp } from './support.js';
import type { Framework, GuardApp } from './support.js';

const VARIANTS = [
  '/admin',
  '//admin',
  '///admin',
  '/ADMIN',
  '/Admin/',
  '/admin/',
  '/%61dmin',
  '/%2561dmin',
  '/admin%2f..',
  '/admin%2F',
  '/public/..%2fadmin',
  '/public/%2e%2e/admin',
  '/public/../admin',
  '/admin;x',
  '/admin%00',
  '/admin%',
  '/%E0%A4%A',
  '/admin/%zz',
  '/mounted',
  '/MOUNTED/',
  '//mounted',
  '/%6dounted',
];

const emu = useEmulator();

describe.each<Framework>(['express5', 'express4'])('catalogue #61 on %s', (framework) => {
  let app: GuardApp;
  let adminToken: string;
  let memberToken: string;
  let gatedRuns = 0;

  beforeAll(async () => {
    const org = emu().admin.createOrganization({ organization_name: `Paths ${framework}` });
    const admin = emu().admin.createMember(org.organization_id, { email_address: `admin-${framework}@example.com`, roles: ['stytch_admin'] });
    const member = emu().admin.createMember(org.organization_id, { email_address: `member-${framework}@example.com` });
    adminToken = emu().admin.createSession({ member_id: admin.member_id }).session_jwt;
    memberToken = emu().admin.createSession({ member_id: member.member_id }).session_jwt;
    app = await startGuardApp(
      emu(),
      (server) => {
        // A route-level gate, and a gate mounted with app.use in front of a separately declared route.
        server.get('/admin', requireRole('stytch_admin'), (_req, res) => {
          gatedRuns++;
          res.send('admin area');
        });
        server.use('/mounted', requireRole('stytch_admin'));
        server.get('/mounted', (_req, res) => {
          gatedRuns++;
          res.send('mounted area');
        });
        server.get('/public', (_req, res) => {
          res.send('public');
        });
        server.get('/public/*rest', (_req, res) => {
          res.send('public');
        });
      },
      { framework },
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('catalogue #61: a gated route is never served to a signed-out or non-admin caller under any spelling of its path', async () => {
    const leaks: string[] = [];
    for (const path of VARIANTS) {
      for (const token of [undefined, memberToken]) {
        const before = gatedRuns;
        const res = await rawRequest(app.url, path, token === undefined ? {} : { token });
        const ranGated = gatedRuns !== before;
        const statusOk = [400, 401, 403, 404].includes(res.status) || (res.status === 200 && res.body === 'public');
        if (ranGated || !statusOk) leaks.push(`${path} (${token === undefined ? 'signed out' : 'member'}): ${res.status} ${res.body.slice(0, 40)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('catalogue #61: the spellings the router sends to the gated handler are the ones the gate checked (admin passes)', async () => {
    for (const path of ['/admin', '/ADMIN', '/admin/', '/mounted', '/MOUNTED/']) {
      const res = await rawRequest(app.url, path, { token: adminToken });
      expect([path, res.status]).toEqual([path, 200]);
    }
  });
});
