// apt: state=latest is planned with `apt-get -s install` (a simulation: its "Inst" lines are what
// would change). Changes run with DEBIAN_FRONTEND=noninteractive and a lock timeout, because a
// freshly booted Ubuntu VM often has unattended-upgrades holding the dpkg lock. A package name is
// checked against Debian's package-name rules before it reaches any command.
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { mustRunTool, runTool } from './lib/host-tool.js';

export interface AptArgs {
  name?: string | string[];
  pkg?: string | string[];
  state?: 'present' | 'absent' | 'latest';
  deb?: string;
  update_cache?: boolean;
  cache_valid_time?: number;
  upgrade?: 'no' | 'yes' | 'safe' | 'full' | 'dist' | boolean;
  autoremove?: boolean;
  install_recommends?: boolean;
  purge?: boolean;
  dpkg_options?: string;
  lock_timeout?: number;
}

export interface AptData {
  cache_updated: boolean;
  cache_update_time?: number;
  /** packages installed or upgraded (as asked, name[=version]) */
  installed: string[];
  removed: string[];
  /** packages an upgrade or autoremove changes (from apt's simulation) */
  upgraded?: string[];
  autoremoved?: string[];
  stdout?: string;
  stderr?: string;
}

const NAME = /^([a-z0-9][a-z0-9+.-]*)(:[a-z0-9-]+)?(=([A-Za-z0-9.+~:*-]+))?$/;

interface Wanted {
  /** as given, passed to apt-get */
  spec: string;
  name: string;
  version?: string;
}

export function parseNames(a: AptArgs): Wanted[] {
  const raw = a.name ?? a.pkg ?? [];
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  return list.map((spec) => {
    const m = NAME.exec(spec);
    if (!m) throw new ModuleError(`'${spec}' is not a Debian package name (optionally with :arch and =version)`);
    return { spec, name: m[1]!, version: m[4] };
  });
}

interface PkgState {
  status: string;
  version: string;
}

/** Installed state by package name (architecture qualifier dropped). */
export async function queryInstalled(ctx: ModuleContext, names: string[]): Promise<Map<string, PkgState>> {
  const out = new Map<string, PkgState>();
  if (names.length === 0) return out;
  const res = await runTool(ctx, ['dpkg-query', '-W', '--showformat=${binary:Package}\\t${Status}\\t${Version}\\n', ...names], { providedBy: 'dpkg' });
  // rc 1 = some names are unknown to dpkg (never installed); the others are still printed
  if (res.rc > 1) throw new ModuleError(`dpkg-query failed: ${res.stderr.trim()}`);
  for (const line of res.stdout.split('\n')) {
    const [pkg, status, version] = line.split('\t');
    if (!pkg || status === undefined) continue;
    out.set(pkg.replace(/:.*/, ''), { status, version: version ?? '' });
  }
  return out;
}

function isInstalled(s: PkgState | undefined): boolean {
  return s !== undefined && / installed$/.test(s.status);
}

function versionMatches(have: string, want: string): boolean {
  if (!want.includes('*')) return have === want;
  const re = new RegExp('^' + want.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(have);
}

const CACHE_AGE = 'now=$(date +%s); for f in /var/lib/apt/periodic/update-success-stamp /var/lib/apt/lists; do if [ -e "$f" ]; then echo "$now $(stat -c %Y "$f")"; exit 0; fi; done; echo "$now 0"';

async function cacheAge(ctx: ModuleContext): Promise<{ now: number; mtime: number }> {
  const res = await ctx.conn.run({ shell: CACHE_AGE });
  const [now, mtime] = res.stdout.trim().split(/\s+/).map(Number);
  return { now: now || 0, mtime: mtime || 0 };
}

/** Package names a simulated apt-get run would act on: its "Inst" (or, for removals, "Remv") lines. */
async function simulate(ctx: ModuleContext, args: string[], base: string[], verb: 'Inst' | 'Remv' = 'Inst'): Promise<string[]> {
  const res = await runTool(ctx, ['apt-get', '-s', ...base, ...args], { providedBy: 'apt', env: { DEBIAN_FRONTEND: 'noninteractive', LANG: 'C' } });
  if (res.rc !== 0) throw new ModuleError(`apt-get -s ${args.join(' ')} failed: ${(res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join('\n')}`);
  const re = new RegExp(`^${verb} (\\S+)`);
  return res.stdout.split('\n').flatMap((l) => {
    const m = re.exec(l);
    return m ? [m[1]!] : [];
  });
}

const simulateInstall = (ctx: ModuleContext, specs: string[], base: string[]) => simulate(ctx, ['install', ...specs], base);

export const apt = defineModule<AptArgs, AptData>({
  name: 'apt',
  summary: 'Install, upgrade or remove Debian/Ubuntu packages with apt-get, reading state with dpkg-query.',
  description:
    'Installs missing packages (`present`), upgrades them to the candidate version (`latest`) or removes them (`absent`); `deb` installs a .deb file that is already on the host (offline installs; its dependencies must be installable). `update_cache` runs `apt-get update` first, unless the cache is younger than `cache_valid_time` seconds; a cache update counts as a change, as in Ansible. Check mode uses dpkg-query and `apt-get -s` only.',
  schema: {
    type: 'object',
    properties: {
      name: { type: ['string', 'array'], items: { type: 'string' }, description: 'Package name(s), optionally name=version (a * in the version matches anything) or name:arch.' },
      pkg: { type: ['string', 'array'], items: { type: 'string' }, description: 'Old name of `name`.' },
      state: { type: 'string', enum: ['present', 'absent', 'latest'], default: 'present', description: 'present: installed; latest: installed at the candidate version; absent: removed.' },
      deb: { type: 'string', description: 'Path ON THE HOST of a .deb file to install (URLs are not fetched: use get_url first).' },
      update_cache: { type: 'boolean', description: 'Run apt-get update before anything else. Default: false, or true when cache_valid_time is given (as in Ansible).' },
      cache_valid_time: { type: 'integer', minimum: 0, description: 'Skip the cache update when the cache is younger than this many seconds.' },
      upgrade: {
        enum: ['no', 'yes', 'safe', 'full', 'dist', true, false],
        default: 'no',
        description: 'Upgrade installed packages: yes/safe = apt-get upgrade --with-new-pkgs, full/dist = apt-get dist-upgrade. A change only when the simulation upgrades something.',
      },
      autoremove: { type: 'boolean', default: false, description: 'Remove packages that were installed as dependencies and are no longer needed (apt-get autoremove).' },
      install_recommends: { type: 'boolean', description: 'true: --install-recommends, false: --no-install-recommends; unset: apt’s own default.' },
      purge: { type: 'boolean', default: false, description: 'With state=absent: also delete configuration files (--purge), including of packages already removed.' },
      dpkg_options: { type: 'string', default: 'force-confdef,force-confold', description: 'Comma-separated dpkg options, each passed as -o Dpkg::Options::=--OPTION.' },
      lock_timeout: { type: 'integer', minimum: 0, default: 120, description: 'Seconds to wait for the dpkg lock held by another apt run.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Tools the gauntlet needs
  apt:
    name: [curl, jq, nfs-common]
    update_cache: true
    cache_valid_time: 3600`,
    `- name: An offline install of a package copied to the VM
  apt:
    deb: /opt/debs/k9s_0.32.5_amd64.deb`,
    `- name: No snapd
  apt:
    name: snapd
    state: absent
    purge: true`,
  ],
  returns: {
    cache_updated: { type: 'bool', description: 'apt-get update ran (or would run, in check mode).', returned: 'always' },
    cache_update_time: { type: 'int', description: 'Epoch seconds of the last cache update seen before the task.', returned: 'with update_cache' },
    installed: { type: 'list', description: 'Packages installed or upgraded (or that would be).', returned: 'always' },
    removed: { type: 'list', description: 'Packages removed (or that would be).', returned: 'always' },
    stdout: { type: 'str', description: 'apt-get output.', returned: 'when apt-get changed something' },
    stderr: { type: 'str', description: 'apt-get errors and warnings.', returned: 'when apt-get changed something' },
  },
  checkMode: true,
  check(a) {
    let names: Wanted[];
    try {
      names = parseNames(a);
    } catch (err) {
      if (err instanceof ModuleError) return [err.message];
      throw err;
    }
    const out: string[] = [];
    const upgrade = a.upgrade !== undefined && a.upgrade !== false && a.upgrade !== 'no';
    if (names.length === 0 && a.deb === undefined && !(a.update_cache ?? a.cache_valid_time !== undefined) && !upgrade && !a.autoremove) out.push('give name, deb, update_cache, upgrade or autoremove');
    if (a.deb !== undefined && (a.state ?? 'present') === 'absent') out.push('deb installs a file; to remove the package use name with state=absent');
    return out;
  },
  async plan(ctx, a) {
    const state = a.state ?? 'present';
    const wanted = parseNames(a);
    const updateCache = a.update_cache ?? a.cache_valid_time !== undefined;
    const upgrade = a.upgrade === true ? 'yes' : a.upgrade === false || a.upgrade === undefined ? 'no' : a.upgrade;
    const upgradeArgs = upgrade === 'no' ? undefined : upgrade === 'full' || upgrade === 'dist' ? ['dist-upgrade'] : ['upgrade', '--with-new-pkgs'];
    const base = ['-o', `DPkg::Lock::Timeout=${a.lock_timeout ?? 120}`];
    const installOpts = [
      ...base,
      ...(a.dpkg_options ?? 'force-confdef,force-confold').split(',').map((o) => o.trim()).filter(Boolean).flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]),
      ...(a.install_recommends === true ? ['--install-recommends'] : a.install_recommends === false ? ['--no-install-recommends'] : []),
    ];
    const env = { DEBIAN_FRONTEND: 'noninteractive', LANG: 'C' };

    let needUpdate = false;
    let cacheTime: number | undefined;
    if (updateCache) {
      const age = await cacheAge(ctx);
      cacheTime = age.mtime;
      needUpdate = !(a.cache_valid_time && age.mtime > 0 && age.now - age.mtime < a.cache_valid_time);
    }

    let debSpec: string | undefined;
    if (a.deb !== undefined) {
      const res = await runTool(ctx, ['dpkg-deb', '-f', a.deb, 'Package', 'Version'], { providedBy: 'dpkg' });
      if (res.rc !== 0) throw new ModuleError(`${a.deb} is not a readable .deb file on ${ctx.host}: ${res.stderr.trim()}`);
      const pkg = /^Package:\s*(\S+)/m.exec(res.stdout)?.[1];
      const version = /^Version:\s*(\S+)/m.exec(res.stdout)?.[1];
      if (!pkg || !version) throw new ModuleError(`${a.deb} has no Package/Version fields`);
      const have = (await queryInstalled(ctx, [pkg])).get(pkg);
      if (!(isInstalled(have) && have!.version === version)) debSpec = `${pkg}=${version}`;
    }

    const states = await queryInstalled(ctx, wanted.map((w) => w.name));
    let toInstall: string[] = [];
    let toRemove: string[] = [];
    if (state === 'absent') {
      toRemove = wanted.filter((w) => isInstalled(states.get(w.name)) || (a.purge && states.get(w.name) !== undefined && !/ not-installed$/.test(states.get(w.name)!.status))).map((w) => w.name);
    } else {
      toInstall = wanted.filter((w) => { const s = states.get(w.name); return !isInstalled(s) || (w.version !== undefined && !versionMatches(s!.version, w.version)); }).map((w) => w.spec);
      if (state === 'latest' && needUpdate) toInstall = wanted.map((w) => w.spec);
      else if (!needUpdate && wanted.length > 0 && (state === 'latest' || toInstall.length > 0)) {
        // apt's own view: which would it install or upgrade? (also catches unknown names in check mode)
        const inst = await simulateInstall(ctx, state === 'latest' ? wanted.map((w) => w.spec) : toInstall, base);
        if (state === 'latest') toInstall = inst.length > 0 || toInstall.length > 0 ? wanted.map((w) => w.spec) : [];
      }
    }
    // upgrade and autoremove: apt's simulation says whether they would do anything (after a
    // cache update they always run: the fresh lists decide)
    const upgraded = upgradeArgs && !needUpdate ? await simulate(ctx, upgradeArgs, base) : [];
    const autoremoved = a.autoremove && !needUpdate && toRemove.length === 0 && toInstall.length === 0 ? await simulate(ctx, ['autoremove'], base, 'Remv') : [];
    const runUpgrade = !!upgradeArgs && (needUpdate || upgraded.length > 0);
    const runAutoremove = !!a.autoremove && (needUpdate || toRemove.length > 0 || toInstall.length > 0 || autoremoved.length > 0);
    const predicted: AptData = {
      cache_updated: needUpdate,
      ...(cacheTime !== undefined ? { cache_update_time: cacheTime } : {}),
      installed: [...toInstall, ...(debSpec ? [debSpec] : [])],
      removed: toRemove,
      ...(upgradeArgs ? { upgraded } : {}),
      ...(a.autoremove ? { autoremoved } : {}),
    };
    if (!needUpdate && toInstall.length === 0 && toRemove.length === 0 && !debSpec && !runUpgrade && !runAutoremove) return { changed: false, data: predicted };
    const msg = [needUpdate ? 'cache update' : '', toInstall.length ? `install ${toInstall.join(' ')}` : '', debSpec ? `install ${a.deb}` : '', toRemove.length ? `${a.purge ? 'purge' : 'remove'} ${toRemove.join(' ')}` : '', runUpgrade ? upgradeArgs!.join(' ') : '', runAutoremove ? 'autoremove' : '']
      .filter(Boolean)
      .join(', ');
    return {
      changed: true,
      msg,
      data: predicted,
      apply: async () => {
        const outs: string[] = [];
        const errs: string[] = [];
        const run = async (argv: string[]) => {
          const r = await mustRunTool(ctx, argv, { env, providedBy: 'apt' });
          outs.push(r.stdout);
          errs.push(r.stderr);
        };
        if (needUpdate) await run(['apt-get', ...base, 'update']);
        let install = toInstall;
        let installedNow = toInstall;
        if (state === 'latest' && needUpdate && wanted.length > 0) {
          // after the update the decision is made again, on the fresh cache
          const now = await queryInstalled(ctx, wanted.map((w) => w.name));
          const missing = wanted.filter((w) => !isInstalled(now.get(w.name)));
          const inst = await simulateInstall(ctx, wanted.map((w) => w.spec), base);
          install = missing.length > 0 || inst.length > 0 ? wanted.map((w) => w.spec) : [];
          installedNow = install;
        }
        if (install.length > 0) await run(['apt-get', '-y', ...installOpts, 'install', ...install]);
        if (debSpec) await run(['apt-get', '-y', ...installOpts, 'install', a.deb!.includes('/') ? a.deb! : `./${a.deb}`]);
        if (toRemove.length > 0) await run(['apt-get', '-y', ...base, 'remove', ...(a.purge ? ['--purge'] : []), ...toRemove]);
        if (runUpgrade) await run(['apt-get', '-y', ...installOpts, ...upgradeArgs!]);
        if (runAutoremove) await run(['apt-get', '-y', ...base, 'autoremove', ...(a.purge ? ['--purge'] : [])]);
        return {
          changed: needUpdate || installedNow.length > 0 || !!debSpec || toRemove.length > 0 || runUpgrade || runAutoremove,
          data: { ...predicted, installed: [...installedNow, ...(debSpec ? [debSpec] : [])], stdout: outs.join(''), stderr: errs.join('') },
        };
      },
    };
  },
});

export default apt;
