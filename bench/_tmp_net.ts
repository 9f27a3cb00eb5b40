import { startEmulator } from '../src/emulator/index.js';
import { StytchB2BClient } from '../src/index.js';
import { B2BClient } from 'stytch';
const emu = await startEmulator({ port: 0, quiet: true });
const org = emu.admin.createOrganization({ organization_name: 'B', organization_slug: 'bench-b' });
const m = emu.admin.createMember(org.organization_id, { email_address: 'a@b.example' });
const tokens = Array.from({ length: 2000 }, () => emu.admin.createSession({ member_id: m.member_id, session_duration_minutes: 600 }).session_token);
const ours = new StytchB2BClient({ projectId: emu.projectId, secret: emu.secret, baseUrl: emu.url });
const sdk = new B2BClient({ project_id: emu.projectId, secret: emu.secret, env: emu.url + '/' });
async function run(name: string, fn: (t: string) => Promise<unknown>, total = 4000, conc = 50) {
  let i = 0; const lat: number[] = [];
  const cpu = process.cpuUsage(); const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (i < total) { const t = tokens[i++ % tokens.length]!; const s = performance.now(); await fn(t); lat.push(performance.now() - s); } }));
  const el = performance.now() - t0; const c = process.cpuUsage(cpu);
  lat.sort((a, b) => a - b);
  console.log(name.padEnd(8), (total / el * 1000).toFixed(0), 'req/s', 'p50', lat[lat.length >> 1]!.toFixed(1), 'ms', 'cpu/req', ((c.user + c.system) / total).toFixed(0), 'µs');
}
for (let k = 0; k < 2; k++) {
  await run('ours', (t) => ours.sessions.authenticate({ session_token: t }));
  await run('sdk', (t) => sdk.sessions.authenticate({ session_token: t }));
}
const res = await fetch(emu.url + '/v1/b2b/sessions/authenticate', { method: 'POST', headers: { authorization: 'Basic ' + Buffer.from(emu.projectId + ':' + emu.secret).toString('base64'), 'content-type': 'application/json' }, body: JSON.stringify({ session_token: tokens[0] }) });
console.log('response bytes', (await res.text()).length);
await ours.close(); await emu.close(); process.exit(0);
