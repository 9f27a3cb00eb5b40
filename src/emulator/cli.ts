#!/usr/bin/env node
/**
 * `stytch-b2b-emulator --port 4010 [--project-id ID] [--secret SECRET] [--quiet]`
 * Starts the local Stytch B2B emulator, prints its URL, project id and secret once, and stops
 * cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.js';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4010' },
        'project-id': { type: 'string' },
        secret: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(
      'Usage: stytch-b2b-emulator [--port 4010] [--project-id project-test-...] [--secret ...] [--quiet]\n' +
        '  --port        TCP port on 127.0.0.1 (default 4010; 0 picks a free one)\n' +
        '  --project-id  project id to accept (default: a random test project id)\n' +
        '  --secret      project secret to accept (default: a random secret)\n' +
        '  --quiet       do not log internal errors of the emulator\n' +
        '  -h, --help    show this help\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('--port must be an integer between 0 and 65535\n');
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator({ port, projectId: values['project-id'], secret: values.secret, quiet: values.quiet });
  process.stdout.write(
    `Stytch B2B emulator listening on ${emulator.url}\n` +
      `  project id: ${emulator.projectId}\n` +
      `  secret:     ${emulator.secret}\n` +
      `  SDK config: new B2BClient({ project_id, secret, env: '${emulator.url}/' })\n` +
      "              (the SDK then warns about a custom 'env' value: expected for a local emulator)\n",
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`stytch-b2b-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
