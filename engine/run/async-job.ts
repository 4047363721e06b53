// Background jobs on a host, the way Ansible's async_wrapper keeps them (lib/ansible/modules/
// async_wrapper.py and async_status.py at v2.17.5), so users' habits hold: a job file
// ~/.ansible_async/<jid> ($ANSIBLE_ASYNC_DIR overrides) holding JSON — {"started": 1, "finished": 0,
// "ansible_job_id": jid} while it runs, the command's result once it ends, {"msg": "Timeout
// exceeded", "failed": true, ...} when the time limit killed it; jid = j<random>.<pid>.
// Ansible runs a Python wrapper; gx needs no Python on the host: the wrapper is POSIX sh, and the
// result's strings are escaped into JSON by awk.
import { randomInt } from 'node:crypto';
import type { Connection } from '../connect/connection.js';
import type { BackgroundWork } from '../module-contract.js';
import { shellJoin, shellQuote } from '../shell-words.js';

export interface StartedJob {
  jid: string;
  resultsFile: string;
}

// the job directory, as async_wrapper computes it (ANSIBLE_ASYNC_DIR, else ~/.ansible_async)
const JOB_DIR = 'd="${ANSIBLE_ASYNC_DIR:-$HOME/.ansible_async}"; case "$d" in "~"*) d="$HOME${d#"~"}";; esac';

// $1 job file, $2 jid, $3 time limit (s), $4 cmd as JSON, $5 shell line, $6 directory ('' = stay)
const RUNNER = String.raw`
job=$1; jid=$2; limit=$3; cmdjson=$4; line=$5; cwd=$6
esc() { awk 'BEGIN { ORS = ""; for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\u%04x", i) }
  { if (NR > 1) printf "\\n"; n = length($0); out = ""
    for (i = 1; i <= n; i++) { c = substr($0, i, 1)
      if (c == "\\") out = out "\\\\"; else if (c == "\"") out = out "\\\""; else if (c in ctl) out = out ctl[c]; else out = out c }
    print out }' "$1"; }
jwrite() { cat > "$job.tmp" && mv -f "$job.tmp" "$job"; }
now() { date '+%Y-%m-%d %H:%M:%S.000000'; }
t0=$(date +%s); start=$(now)
if [ -n "$cwd" ] && ! cd "$cwd" 2>"$job.err"; then
  printf '{"failed": true, "changed": false, "cmd": %s, "rc": 1, "msg": "could not change directory to %s", "stdout": "", "stderr": ""}' "$cmdjson" "$cwd" | jwrite
  rm -f "$job.err" "$job.in"; exit 0
fi
[ -f "$job.in" ] || : > "$job.in"
if command -v setsid >/dev/null 2>&1; then setsid sh -c "$line" < "$job.in" > "$job.out" 2> "$job.err" &
else sh -c "$line" < "$job.in" > "$job.out" 2> "$job.err" &
fi
child=$!
( n=0
  while kill -0 "$child" 2>/dev/null; do
    if [ "$n" -ge "$limit" ]; then
      printf '{"msg": "Timeout exceeded", "failed": true, "child_pid": %s}' "$child" | jwrite
      : > "$job.timedout"
      kill -9 "-$child" 2>/dev/null || kill -9 "$child" 2>/dev/null
      exit 0
    fi
    sleep 1; n=$((n + 1))
  done ) &
watch=$!
wait "$child"; rc=$?
# the watchdog's last 'sleep 1' may linger a second; the result need not wait for it
kill "$watch" 2>/dev/null
if [ -f "$job.timedout" ]; then rm -f "$job.timedout" "$job.out" "$job.err" "$job.in"; exit 0; fi
s=$(( $(date +%s) - t0 ))
delta=$(printf '%d:%02d:%02d.000000' $((s / 3600)) $((s % 3600 / 60)) $((s % 60)))
if [ "$rc" -eq 0 ]; then failed=false; msg=''; else failed=true; msg='non-zero return code'; fi
{ printf '{"changed": true, "cmd": %s, "rc": %d, "start": "%s", "end": "%s", "delta": "%s", "msg": "%s", "failed": %s, "stdout": "' "$cmdjson" "$rc" "$start" "$(now)" "$delta" "$msg" "$failed"
  esc "$job.out"; printf '", "stderr": "'; esc "$job.err"; printf '"}'; } | jwrite
rm -f "$job.out" "$job.err" "$job.in"
`;

/** A job id like async_wrapper's: j + a random number, then the wrapper's pid (added on the host). */
function jidPrefix(): string {
  return `j${randomInt(0, 999_999_999_999)}`;
}

/** Starts `work` in the background on the host; returns at once with the job's id and file. */
export async function startJob(conn: Connection, work: BackgroundWork, limitSeconds: number): Promise<StartedJob> {
  const line = work.run.argv ? shellJoin(work.run.argv) : work.run.shell!;
  const stdin = work.run.stdin === undefined ? '' : `printf '%s' ${shellQuote(String(work.run.stdin))} > "$job.in"\n`;
  const script = [
    JOB_DIR,
    `mkdir -p "$d" || { echo "could not create directory: $d" >&2; exit 1; }`,
    `jid=${jidPrefix()}.$$; job="$d/$jid"`,
    `printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}' "$jid" > "$job.tmp" && mv -f "$job.tmp" "$job"`,
    stdin,
    // a new session, so the job outlives the connection (async_wrapper daemonizes the same way)
    `if command -v setsid >/dev/null 2>&1; then s=setsid; else s=; fi`,
    `$s nohup sh -c ${shellQuote(RUNNER)} gx-async "$job" "$jid" ${Math.max(1, Math.ceil(limitSeconds))} ${shellQuote(JSON.stringify(work.cmd))} ${shellQuote(line)} ${shellQuote(work.run.cwd ?? '')} < /dev/null > /dev/null 2>&1 &`,
    `printf '%s\\n%s\\n' "$jid" "$job"`,
  ].join('\n');
  const r = await conn.run({ shell: script });
  const [jid, resultsFile] = r.stdout.trim().split('\n');
  if (r.rc !== 0 || !jid || !resultsFile) throw new Error(`could not start the background job: ${(r.stderr || r.stdout).trim() || `rc ${r.rc}`}`);
  return { jid, resultsFile };
}

/** What async_status reports for `jid` (the module and its action plugin together). */
export async function jobStatus(conn: Connection, jid: string): Promise<{ data: Record<string, unknown>; failed: boolean }> {
  const r = await conn.run({ shell: `${JOB_DIR}; f="$d"/${shellQuote(jid)}; printf '%s\\n' "$f"; if [ -f "$f" ]; then cat "$f"; else exit 3; fi` });
  const nl = r.stdout.indexOf('\n');
  const resultsFile = nl >= 0 ? r.stdout.slice(0, nl) : r.stdout;
  const text = nl >= 0 ? r.stdout.slice(nl + 1) : '';
  const base = { ansible_job_id: jid, results_file: resultsFile, started: 1, finished: 0, stdout: '', stderr: '', stdout_lines: [] as string[], stderr_lines: [] as string[] };
  if (r.rc === 3) return { failed: true, data: { ...base, finished: 1, failed: true, msg: 'could not find job' } };
  if (r.rc !== 0) return { failed: true, data: { ...base, finished: 1, failed: true, msg: `could not read the job file: ${r.stderr.trim()}` } };
  let job: Record<string, unknown>;
  try {
    job = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // being written (async_status: "file not written yet? That means it is running")
    return { failed: false, data: base };
  }
  const data: Record<string, unknown> = { ...base, ...job };
  if (!('started' in job)) {
    data.finished = 1;
    data.ansible_job_id = jid;
  } else if (!('finished' in job)) data.finished = 0;
  if (typeof data.stdout === 'string') data.stdout_lines = lines(data.stdout);
  if (typeof data.stderr === 'string') data.stderr_lines = lines(data.stderr);
  return { failed: data.failed === true || data.failed === 1, data };
}

/** async_status mode=cleanup: the job file goes (the job itself is not stopped, as in Ansible). */
export async function removeJob(conn: Connection, jid: string): Promise<{ erased?: string; found: boolean }> {
  const r = await conn.run({ shell: `${JOB_DIR}; f="$d"/${shellQuote(jid)}; [ -f "$f" ] || exit 3; rm -f "$f" && printf '%s' "$f"` });
  if (r.rc === 3) return { found: false };
  if (r.rc !== 0) throw new Error(`could not remove the job file: ${r.stderr.trim()}`);
  return { found: true, erased: r.stdout };
}

function lines(s: string): string[] {
  return s === '' ? [] : s.split(/\r?\n/);
}
