/**
 * `npm start`: the example app on http://127.0.0.1:$PORT (default 3000), against the local
 * emulator with demo data, or against real Stytch when STYTCH_PROJECT_ID and STYTCH_SECRET are set.
 */
import { startExample, type RunningExample } from './example.js';

const port = process.env.PORT === undefined || process.env.PORT === '' ? 3000 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer between 0 and 65535 (got ${JSON.stringify(process.env.PORT)}).`);
  process.exit(1);
}

let example: RunningExample;
try {
  example = await startExample({ port });
} catch (err) {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // One line, no stack: the usual cause is another copy of the app (or anything else) on that port.
  if (code === 'EADDRINUSE') console.error(`Port ${port} is already in use on 127.0.0.1. Start on another port, e.g. PORT=${port === 65535 ? 3001 : port + 1} npm start`);
  else if (code === 'EACCES') console.error(`Not allowed to listen on port ${port}. Pick a port above 1023, e.g. PORT=3000 npm start`);
  else console.error(`Could not start the example: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const lines = [`Docs Hub example listening on ${example.url}`];
if (example.mode === 'stytch') {
  lines.push(
    'Talking to real Stytch (STYTCH_PROJECT_ID and STYTCH_SECRET are set).',
    `Add ${example.url}/auth/callback as a login, signup and discovery redirect URL in the Stytch dashboard.`,
  );
} else {
  lines.push('Talking to the local Stytch emulator (set STYTCH_PROJECT_ID and STYTCH_SECRET to use real Stytch).');
  lines.push(`Emails and SMS codes appear in the dev mailbox: ${example.url}/dev/mailbox`);
  lines.push('Demo accounts (sign in with the email, then open the link from the dev mailbox):');
  for (const account of example.seed?.accounts ?? []) lines.push(`  ${account.email.padEnd(20)} ${account.description}`);
  lines.push(`Single sign-on: Acme's page ${example.url}/org/acme/login (the emulator stands in for the identity provider).`);
}
console.log(lines.join('\n'));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  example.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('Error while stopping:', err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
};
// `on`, not `once`: a second signal (a process-group signal plus the one tsx relays, or a second
// Ctrl-C) must not fall back to the default action and kill the process mid-close.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
