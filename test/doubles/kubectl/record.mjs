// Shared by the kubectl and helm doubles: every call is appended to $GX_DOUBLE_LOG as one JSON line
// {"argv": [...], "stdin": "..."} so a test can assert the exact commands and the manifests sent.
// $GX_DOUBLE_STATE/fail/TOOL.SUB makes that subcommand fail (content → stderr, TOOL.SUB.rc the exit
// code, default 1); $GX_DOUBLE_STATE/hang/TOOL.SUB makes it hang until it is killed.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function start(tool) {
  const state = process.env.GX_DOUBLE_STATE;
  const log = process.env.GX_DOUBLE_LOG;
  if (!state || !log) {
    process.stderr.write(`${tool} double: GX_DOUBLE_STATE and GX_DOUBLE_LOG must be set\n`);
    process.exit(3);
  }
  let stdin = '';
  try {
    stdin = readFileSync(0, 'utf8');
  } catch {
    // no stdin at all
  }
  const argv = process.argv.slice(2);
  appendFileSync(log, JSON.stringify({ argv: [tool, ...argv], stdin }) + '\n');
  return { state, argv, stdin };
}

export function maybeFail(state, tool, sub) {
  const f = join(state, 'fail', `${tool}.${sub}`);
  if (existsSync(f)) {
    process.stderr.write(readFileSync(f, 'utf8'));
    const rcFile = `${f}.rc`;
    process.exit(existsSync(rcFile) ? Number(readFileSync(rcFile, 'utf8').trim()) : 1);
  }
  if (existsSync(join(state, 'hang', `${tool}.${sub}`))) {
    setInterval(() => {}, 1 << 30);
    return true;
  }
  return false;
}

export function die(msg, rc = 1) {
  process.stderr.write(msg.endsWith('\n') ? msg : `${msg}\n`);
  process.exit(rc);
}
