// stat: what Ansible's stat returns (lib/ansible/modules/stat.py at v2.17.5: format_output, access
// checks, link source/target, names, checksum with checksum_algorithm, mime type and charset through
// `file`, lsattr attributes), read in ONE command on the host.
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { parseLsattr } from './lib/file-attributes.js';
import { statFields } from './lib/stat-fields.js';

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

export interface StatArgs {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: (typeof ALGORITHMS)[number];
  get_mime: boolean;
  get_attributes: boolean;
}

const NOENT = 47;

/** $1 path, $2 follow ("1" or ""), $3 checksum command or "", $4 mime "1", $5 attributes "1" */
const SCRIPT = `p=$1
if [ -n "$2" ]; then [ -e "$p" ] || exit ${NOENT}; o=-L; else { [ -e "$p" ] || [ -L "$p" ]; } || exit ${NOENT}; o=; fi
stat $o -c '%f|%u|%g|%U|%G|%s|%.9X|%.9Y|%.9Z|%i|%d|%h|%b|%o|%t|%T' -- "$p" || exit 1
r=false; w=false; x=false; [ -r "$p" ] && r=true; [ -w "$p" ] && w=true; [ -x "$p" ] && x=true; echo "access|$r|$w|$x"
if [ -z "$2" ] && [ -L "$p" ]; then echo "link|$(readlink -f -- "$p")|$(readlink -- "$p")"; fi
if [ -n "$3" ] && [ -f "$p" ] && [ -r "$p" ] && { [ -n "$2" ] || [ ! -L "$p" ]; }; then s=$($3 < "$p") && echo "sum|\${s%% *}"; fi
if [ -n "$4" ] && command -v file >/dev/null 2>&1; then echo "mime|$(file $o -b --mime-type -- "$p")|$(file $o -b --mime-encoding -- "$p")"; fi
if [ -n "$5" ] && command -v lsattr >/dev/null 2>&1; then a=$(lsattr -vd -- "$p" 2>/dev/null) && echo "attr|$a"; fi
true`;

export const stat = defineModule<StatArgs>({
  name: 'stat',
  summary: 'Report whether a path exists and what it is (type, mode, owner, times, checksum, mime type).',
  description:
    'The result is registered under `stat`: `when: st.stat.exists` or `when: st.stat.isdir`. The keys are Ansible\'s; ' +
    'the checksum is SHA-1 unless `checksum_algorithm` says otherwise, as in Ansible. Everything is read with one command on the host.',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The path to examine.' },
      follow: { type: 'boolean', default: false, description: 'Follow a symbolic link and describe what it points to.' },
      get_checksum: { type: 'boolean', default: true, description: 'Compute the checksum of a regular file that is readable.' },
      checksum_algorithm: { type: 'string', enum: [...ALGORITHMS], default: 'sha1', description: 'The checksum algorithm: md5, sha1 (the default, as in Ansible), sha224, sha256, sha384 or sha512.' },
      get_mime: { type: 'boolean', default: true, description: 'Report `mimetype` and `charset` (through `file` on the host; `unknown` without it).' },
      get_attributes: { type: 'boolean', default: true, description: 'Report the file attributes (`lsattr`): `attributes`, `attr_flags`, `version`.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  examples: [
    `- name: Is k3s installed?
  stat:
    path: /usr/local/bin/k3s
  register: k3s_bin`,
    `- name: Install it only when missing
  command: /tmp/install-k3s.sh
  when: not k3s_bin.stat.exists`,
    `- name: Compare by sha256
  stat:
    path: /opt/app.tar
    checksum_algorithm: sha256
  register: tarball`,
  ],
  returns: {
    stat: {
      type: 'dict',
      description:
        'exists, and when it exists: path, mode ("0644"), isdir, isreg, islnk, ischr, isblk, isfifo, issock, uid, gid, pw_name, gr_name, size, ' +
        'inode, dev, nlink, atime, mtime, ctime (seconds, fractional), wusr, rusr, xusr, wgrp, rgrp, xgrp, woth, roth, xoth, isuid, isgid, blocks, block_size, device_type, ' +
        'readable, writeable, executable (for the user the task runs as), checksum (regular files), mimetype, charset, lnk_source and lnk_target (links), attributes, attr_flags, version.',
      returned: 'always',
    },
  },
  checkMode: true,
  async plan(ctx, a) {
    const r = await ctx.conn.run({
      argv: ['/bin/sh', '-c', SCRIPT, 'sh', a.path, a.follow ? '1' : '', a.get_checksum ? `${a.checksum_algorithm}sum` : '', a.get_mime ? '1' : '', a.get_attributes ? '1' : ''],
    });
    if (r.rc === NOENT) return { changed: false, data: { stat: { exists: false } } };
    if (r.rc !== 0) throw new ModuleError(`stat ${a.path}: ${r.stderr.trim() || `exit ${r.rc}`}`);
    const [first = '', ...rest] = r.stdout.split('\n');
    const f = first.split('|');
    if (f.length < 16) throw new ModuleError(`stat ${a.path}: unexpected output ${JSON.stringify(first.slice(0, 200))}`);
    const { st } = statFields(f);
    const out: Record<string, unknown> = {
      exists: true,
      path: a.path,
      ...st,
      blocks: Number(f[12]),
      block_size: Number(f[13]),
      device_type: 0,
      pw_name: f[3],
      gr_name: f[4],
    };
    if (out.ischr || out.isblk) {
      // Linux makedev: the major and minor numbers stat prints in hex
      const major = parseInt(f[14]!, 16);
      const minor = parseInt(f[15]!, 16);
      out.device_type = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
    }
    if (a.get_mime) out.mimetype = out.charset = 'unknown';
    if (a.get_attributes) Object.assign(out, { version: null, attributes: [], attr_flags: '' });
    for (const line of rest) {
      const [kind, ...v] = line.split('|');
      if (kind === 'access') Object.assign(out, { readable: v[0] === 'true', writeable: v[1] === 'true', executable: v[2] === 'true' });
      else if (kind === 'link') Object.assign(out, { lnk_source: v[0], lnk_target: v.slice(1).join('|') });
      else if (kind === 'sum') out.checksum = v[0];
      else if (kind === 'mime') Object.assign(out, { mimetype: v[0], charset: v[1] });
      else if (kind === 'attr') Object.assign(out, parseLsattr(v.join('|')) ?? {});
    }
    return { changed: false, data: { stat: out } };
  },
});

export default stat;
