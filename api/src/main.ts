// Entry point of the container: `node dist/api/src/main.js`.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

function refuseRoot(): void {
  // the image runs as uid 1000; root here means a misconfigured pod, so say so and stop
  if (process.getuid?.() === 0 && process.env.API_ALLOW_ROOT !== '1') {
    process.stderr.write('gx-api refuses to run as root; run it as an unprivileged user (the image uses uid 1000)\n');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  refuseRoot();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logBufferBytes);
  const running = await startServer(config, log);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`gx-api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
