// Mocha global fixtures: every real server the tests use is started ONCE per run here, by the
// service scripts in test/services/ (each idempotent, each printing KEY=VALUE lines that become
// environment variables for the tests), and stopped at the end. Their set-up output goes to
// SERVICES_LOG (.gx/test-services.log), so a run shows only mocha's. .ci/run relies on this too.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runServiceScript } from './services.js';

const here = dirname(fileURLToPath(import.meta.url));
const servicesDir = join(here, '..', 'services');
const started: string[] = [];

function services(): string[] {
  if (!existsSync(servicesDir)) return [];
  return readdirSync(servicesDir)
    .filter((f) => f.endsWith('.sh') && !f.startsWith('_'))
    .sort();
}

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.GX_TEST_NO_SERVICES === '1') return;
  for (const svc of services()) {
    const script = join(servicesDir, svc);
    Object.assign(process.env, runServiceScript(script, ['start']));
    started.push(script);
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (process.env.GX_TEST_KEEP_SERVICES === '1') return;
  for (const script of started.reverse()) {
    try {
      runServiceScript(script, ['stop'], { timeoutMs: 60_000 });
    } catch {
      // a service that will not stop cleanly must not turn a green run red
    }
  }
}
