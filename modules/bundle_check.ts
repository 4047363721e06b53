// bundle_check: the preflight runs it before any host is touched. Every problem is in one failure
// because a user fixing a bundle one missing file per run would re-download for an hour. The sha256
// come from manifest.yaml, which the collect playbook writes while downloading: offline, nothing
// else knows what the files should hash to.
import { posix } from 'node:path';
import YAML from 'yaml';
import type { FileStat } from '../engine/connect/connection.js';
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';

export interface BundleArtifact {
  kind: string;
  name: string;
  version: string;
  file: string;
  /** a sha256 pinned in artifacts.yaml itself, checked as well as the manifest's */
  sha256?: string;
  /** images: the manifest digest pinned in artifacts.yaml, checked against the one collected */
  digest?: string;
  [k: string]: unknown;
}

export interface BundleCheckArgs {
  dir: string;
  artifacts: BundleArtifact[];
  manifest?: string;
  arch?: string;
  checksums: boolean;
}

export interface BundleProblem {
  kind: string;
  name: string;
  version: string;
  file: string;
  reason: string;
}

export interface BundleCheckData {
  dir: string;
  manifest: string;
  /** how many artifacts the list names */
  checked: number;
  missing: BundleProblem[];
  /** present but not what the manifest (or artifacts.yaml) says: wrong sha256, not a file, other version */
  corrupt: BundleProblem[];
  /** present but not recorded in manifest.yaml, so nothing can vouch for it */
  unrecorded: BundleProblem[];
  /** the manifest itself: missing, unreadable, not the expected shape */
  manifest_problems: string[];
  /** total size of the artifacts found, bytes */
  bytes: number;
}

const KNOWN_ARCHES = ['amd64', 'arm64'];

interface ManifestEntry {
  file: string;
  sha256?: string;
  version?: string;
  /** images: the digest of the image manifest in the archive */
  digest?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads manifest.yaml into a map by file; what is wrong with it goes to `problems`. */
function parseManifest(text: string, path: string, problems: string[], arch?: string): Map<string, ManifestEntry> {
  const out = new Map<string, ManifestEntry>();
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    problems.push(`${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    return out;
  }
  const recordedArch = doc && typeof doc === 'object' ? (doc as { arch?: unknown }).arch : undefined;
  if (arch !== undefined && recordedArch !== arch) {
    problems.push(`${path} records the files of architecture ${recordedArch === undefined ? '(none)' : String(recordedArch)}, not ${arch}`);
    return out;
  }
  const list = doc && typeof doc === 'object' ? (doc as { artifacts?: unknown }).artifacts : undefined;
  if (!Array.isArray(list)) {
    problems.push(`${path} has no 'artifacts' list`);
    return out;
  }
  list.forEach((e, i) => {
    const entry = e as Partial<ManifestEntry> | null;
    if (!entry || typeof entry.file !== 'string') return void problems.push(`${path}: artifacts[${i}] has no file`);
    const sha = typeof entry.sha256 === 'string' ? entry.sha256.toLowerCase() : undefined;
    if (sha !== undefined && !HEX64.test(sha)) problems.push(`${path}: the sha256 of ${entry.file} is not 64 hex digits`);
    out.set(posix.normalize(entry.file), {
      file: entry.file,
      sha256: sha,
      version: entry.version === undefined ? undefined : String(entry.version),
      digest: typeof entry.digest === 'string' ? entry.digest : undefined,
    });
  });
  return out;
}

/** Runs `fn` over `items` with at most `n` at once, keeping the order of the results. */
async function mapLimit<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

function describe(p: BundleProblem): string {
  return `${p.kind} ${p.name} ${p.version}: ${p.file} — ${p.reason}`;
}

/** The one message that lists everything, grouped, with what to do about it. */
function report(d: BundleCheckData): string {
  const lines: string[] = [];
  const count = d.missing.length + d.corrupt.length + d.unrecorded.length + d.manifest_problems.length;
  lines.push(`the offline bundle in ${d.dir} is not usable: ${count} problem${count === 1 ? '' : 's'} (${d.checked} artifacts checked)`);
  for (const m of d.manifest_problems) lines.push(`  manifest:   ${m}`);
  for (const p of d.missing) lines.push(`  missing:    ${describe(p)}`);
  for (const p of d.corrupt) lines.push(`  corrupt:    ${describe(p)}`);
  for (const p of d.unrecorded) lines.push(`  unrecorded: ${describe(p)}`);
  lines.push('collect the bundle on a machine with internet access: gx play playbooks/collect-bundle.yaml (see docs/runbook.md)');
  return lines.join('\n');
}

/** ": this bundle holds amd64 only; …" when the bundle has manifests of other architectures only. */
async function otherArches(ctx: ModuleContext, dir: string, arch: string | undefined): Promise<string> {
  if (arch === undefined) return '';
  const others: string[] = [];
  for (const other of KNOWN_ARCHES.filter((x) => x !== arch)) {
    if (await ctx.conn.stat(posix.join(dir, `manifest-${other}.yaml`), { followLinks: true })) others.push(other);
  }
  if (others.length === 0) return '';
  return `: this bundle holds the ${others.join(' and ')} files only, and the VM will be ${arch}; collect the ${arch} files into it with gx play playbooks/collect-bundle.yaml -e bundle_arch=${arch}`;
}

export const bundle_check = defineModule<BundleCheckArgs, BundleCheckData>({
  name: 'bundle_check',
  summary: 'Verify an offline bundle directory against its artifact list and the sha256 recorded in its manifest.',
  description:
    'Every artifact of `artifacts` (kind, name, version, file relative to `dir`) must exist as a regular file under `dir`, ' +
    'be recorded in the manifest (written by the collect playbook) with the same version, and hash to the sha256 the manifest ' +
    '(and the artifact itself, when it pins one) records; an image whose artifact pins a `digest` must have been collected with that digest. All problems are listed in one failure: missing, corrupt, unrecorded, ' +
    'and problems of the manifest itself. It only reads, so it runs the same in check mode. The bundle lives on the controller.',
  schema: {
    type: 'object',
    properties: {
      dir: { type: 'string', minLength: 1, description: 'The bundle directory on the controller.' },
      artifacts: {
        type: 'array',
        description: 'The artifacts the bundle must hold (the `artifacts` list of playbooks/bundle/artifacts.yaml); other keys of an entry are ignored.',
        items: {
          type: 'object',
          required: ['kind', 'name', 'version', 'file'],
          properties: {
            kind: { type: 'string' },
            name: { type: 'string' },
            version: { type: ['string', 'number'] },
            file: { type: 'string', minLength: 1 },
            sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
            digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
          },
        },
      },
      manifest: { type: 'string', description: 'The manifest written by the collect playbook; default: manifest-ARCH.yaml in `dir` with `arch`, manifest.yaml without.' },
      arch: {
        type: 'string',
        enum: KNOWN_ARCHES,
        description:
          'The architecture the bundle must hold (amd64 or arm64): the manifest must record it (`arch:`), and when it is missing while another architecture\'s manifest is there, ' +
          'the failure says so and how to collect this one.',
      },
      checksums: {
        type: 'boolean',
        default: true,
        description: 'Hash every file and compare it with the manifest. False only checks that every file is there (fast, for repeated runs on a bundle already verified).',
      },
    },
    required: ['dir', 'artifacts'],
    additionalProperties: false,
  },
  examples: [
    `- name: The bundle has every artifact, intact
  bundle_check:
    dir: "{{ bundle_dir }}"
    artifacts: "{{ artifacts }}"`,
    `- name: Only check that the files are there
  bundle_check:
    dir: /srv/gauntlet-bundle
    artifacts: "{{ artifacts }}"
    checksums: false`,
  ],
  returns: {
    dir: { type: 'str', description: 'The bundle directory.', returned: 'always' },
    manifest: { type: 'str', description: 'The manifest file read.', returned: 'always' },
    checked: { type: 'int', description: 'How many artifacts were checked.', returned: 'always' },
    missing: { type: 'list', description: 'Artifacts not found: kind, name, version, file, reason.', returned: 'always' },
    corrupt: { type: 'list', description: 'Artifacts whose sha256 or version differ from the manifest, or that are not regular files.', returned: 'always' },
    unrecorded: { type: 'list', description: 'Artifacts present but absent from the manifest (nothing vouches for their content).', returned: 'always' },
    manifest_problems: { type: 'list', description: 'What is wrong with the manifest itself.', returned: 'always' },
    bytes: { type: 'int', description: 'Total size of the artifacts found.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(ctx, a) {
    const dir = a.dir.replace(/\/+$/, '') || '/';
    const manifestPath = a.manifest ?? posix.join(dir, a.arch ? `manifest-${a.arch}.yaml` : 'manifest.yaml');
    const data: BundleCheckData = { dir, manifest: manifestPath, checked: a.artifacts.length, missing: [], corrupt: [], unrecorded: [], manifest_problems: [], bytes: 0 };

    const seen = new Map<string, string>();
    for (const art of a.artifacts) {
      const rel = posix.normalize(art.file);
      // a file outside the bundle would make the bundle depend on whatever else is on the machine
      if (posix.isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new ModuleError(`artifact ${art.name}: file '${art.file}' must be a path inside the bundle directory`);
      const other = seen.get(rel);
      if (other !== undefined) throw new ModuleError(`artifacts ${other} and ${art.name} both name the file ${rel}`);
      seen.set(rel, art.name);
    }

    const dirStat = await ctx.conn.stat(dir, { followLinks: true });
    if (dirStat && dirStat.type !== 'directory') throw new ModuleError(`${dir} is not a directory`);

    let manifest = new Map<string, ManifestEntry>();
    if (a.checksums) {
      const text = dirStat || a.manifest ? await ctx.conn.get(manifestPath) : null;
      if (text === null) data.manifest_problems.push(`${manifestPath} does not exist (the collect playbook writes it with the sha256 of every file)${await otherArches(ctx, dir, a.arch)}`);
      else manifest = parseManifest(text.toString('utf8'), manifestPath, data.manifest_problems, a.arch);
    }

    const stats: (FileStat | null)[] = dirStat
      ? await mapLimit(a.artifacts, 4, (art) => ctx.conn.stat(posix.join(dir, posix.normalize(art.file)), { followLinks: true, checksum: a.checksums }))
      : a.artifacts.map(() => null);

    a.artifacts.forEach((art, i) => {
      const st = stats[i]!;
      const base = { kind: art.kind, name: art.name, version: String(art.version), file: art.file };
      if (!st) return void data.missing.push({ ...base, reason: dirStat ? 'not in the bundle' : 'the bundle directory does not exist' });
      if (st.type !== 'file') return void data.corrupt.push({ ...base, reason: `is a ${st.type}, not a regular file` });
      data.bytes += st.size;
      if (!a.checksums) return;
      const got = st.sha256?.toLowerCase();
      const pinned = art.sha256?.toLowerCase();
      if (pinned && got !== pinned) return void data.corrupt.push({ ...base, reason: `sha256 ${got}, artifacts.yaml pins ${pinned}` });
      const entry = manifest.get(posix.normalize(art.file));
      if (!entry) {
        // without a manifest every file would be listed here: the manifest problem already says it
        if (data.manifest_problems.length === 0) data.unrecorded.push({ ...base, reason: `not recorded in ${posix.basename(manifestPath)}` });
        return;
      }
      if (entry.version !== undefined && entry.version !== String(art.version)) return void data.corrupt.push({ ...base, reason: `collected as version ${entry.version}` });
      if (!entry.sha256) return void data.corrupt.push({ ...base, reason: `${posix.basename(manifestPath)} records no sha256 for it` });
      if (got !== entry.sha256) return void data.corrupt.push({ ...base, reason: `sha256 ${got}, ${posix.basename(manifestPath)} says ${entry.sha256}` });
      if (art.digest && entry.digest !== art.digest) data.corrupt.push({ ...base, reason: `image digest ${entry.digest ?? '(none recorded)'}, artifacts.yaml pins ${art.digest}` });
    });

    if (!dirStat) {
      // one line rather than one per artifact: nothing is there, and the fix is the same
      return {
        changed: false,
        failed: true,
        msg: `the offline bundle directory ${dir} does not exist (${data.checked} artifacts expected there): collect it on a machine with internet access (gx play playbooks/collect-bundle.yaml, see docs/runbook.md), or point bundle_dir at it (-e bundle_dir=/path/to/bundle)`,
        data,
      };
    }
    const ok = data.missing.length + data.corrupt.length + data.unrecorded.length + data.manifest_problems.length === 0;
    if (ok) return { changed: false, msg: `${data.checked} artifacts present${a.checksums ? ' and intact' : ''} in ${dir}`, data };
    return { changed: false, failed: true, msg: report(data), data };
  },
});

export default bundle_check;
