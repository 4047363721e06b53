// The setup script's sections (script.ts) → Ansible's fact names, without the `ansible_` prefix,
// shaped like ansible-core's collectors (lib/ansible/module_utils/facts/{system,hardware,network,
// virtual}/*.py at v2.17.5): the same keys and types for the facts gx gathers.

type Facts = Record<string, unknown>;

const lines = (s: string | undefined): string[] => (s ?? '').split('\n').filter((l) => l.trim() !== '');

function keyValues(text: string | undefined, sep: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines(text)) {
    const m = sep.exec(l);
    if (!m) continue;
    const k = l.slice(0, m.index).trim();
    let v = l.slice(m.index + m[0].length).trim();
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1);
    if (k !== '') out[k] = v;
  }
  return out;
}

// ansible-core's distribution.py: OS_FAMILY_MAP, the families gx will meet
const FAMILY: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Debian', raspbian: 'Debian', linuxmint: 'Debian', pop: 'Debian', kali: 'Debian', devuan: 'Debian',
  rhel: 'RedHat', centos: 'RedHat', fedora: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', ol: 'RedHat', amzn: 'RedHat', scientific: 'RedHat',
  opensuse: 'Suse', 'opensuse-leap': 'Suse', 'opensuse-tumbleweed': 'Suse', sles: 'Suse', alpine: 'Alpine', arch: 'Archlinux', manjaro: 'Archlinux', gentoo: 'Gentoo',
};
// distribution names as Ansible spells them (NAME is "Debian GNU/Linux", Ansible says "Debian")
const DIST_NAME: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', rhel: 'RedHat', centos: 'CentOS', fedora: 'Fedora', rocky: 'Rocky', almalinux: 'AlmaLinux', ol: 'OracleLinux',
  amzn: 'Amazon', alpine: 'Alpine', arch: 'Archlinux', opensuse: 'openSUSE', 'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed', sles: 'SLES', raspbian: 'Debian', linuxmint: 'Linux Mint', gentoo: 'Gentoo',
};

function platform(s: Map<string, string>, f: Facts): void {
  const [system, kernel, kernelVersion, machine, nodename] = (s.get('uname') ?? '').split('\n');
  if (system === undefined || system === '') return;
  f.system = system;
  f.kernel = kernel;
  f.kernel_version = kernelVersion;
  f.machine = machine;
  // platform.py: i386 family is reported as i386, everything else as the machine
  f.architecture = /^i[3-6]86$/.test(machine ?? '') ? 'i386' : machine;
  f.nodename = nodename;
  f.hostname = (nodename ?? '').split('.')[0];
  const fqdn = lines(s.get('fqdn'))[0] ?? nodename;
  f.fqdn = fqdn;
  f.domain = fqdn && fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '';
  f.userspace_architecture = f.architecture;
}

function distribution(s: Map<string, string>, f: Facts): void {
  const os = keyValues(s.get('osrelease'), /=/);
  const id = (os.ID ?? '').toLowerCase();
  if (id === '') {
    f.distribution = f.system ?? 'NA';
    f.os_family = f.system ?? 'NA';
    return;
  }
  const version = os.VERSION_ID ?? '';
  f.distribution = DIST_NAME[id] ?? os.NAME ?? id;
  f.distribution_version = version;
  f.distribution_major_version = version.split('.')[0] ?? '';
  f.distribution_release = os.VERSION_CODENAME ?? os.UBUNTU_CODENAME ?? '';
  f.distribution_file_variety = f.distribution;
  const like = (os.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  f.os_family = FAMILY[id] ?? like.map((l) => FAMILY[l]).find(Boolean) ?? f.distribution;
}

function lsb(text: string | undefined): Facts {
  const kv = keyValues(text, /[=:]/);
  const out: Facts = {};
  const id = kv.DISTRIB_ID ?? kv['Distributor ID'];
  const release = kv.DISTRIB_RELEASE ?? kv.Release;
  if (id !== undefined) out.id = id;
  if (release !== undefined) {
    out.release = release;
    out.major_release = release.split('.')[0];
  }
  const codename = kv.DISTRIB_CODENAME ?? kv.Codename;
  if (codename !== undefined) out.codename = codename;
  const description = kv.DISTRIB_DESCRIPTION ?? kv.Description;
  if (description !== undefined) out.description = description;
  return out;
}

function user(text: string | undefined, f: Facts): void {
  const [name, uid, gid, home, pw] = (text ?? '').split('\n');
  if (!name) return;
  f.user_id = name;
  f.user_uid = Number(uid);
  f.user_gid = Number(gid);
  const fields = (pw ?? '').split(':');
  f.user_dir = fields[5] || home;
  f.user_shell = fields[6] || undefined;
  f.user_gecos = fields[4] ?? '';
  f.real_user_id = f.user_uid;
  f.effective_user_id = f.user_uid;
  f.real_group_id = f.user_gid;
  f.effective_group_id = f.user_gid;
}

function env(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const l of (text ?? '').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (m) out[(last = m[1]!)] = m[2]!;
    else if (last !== undefined && l !== '') out[last] += `\n${l}`;
  }
  return out;
}

function dateTime(text: string | undefined): Facts | undefined {
  const p = (text ?? '').split('\n')[0]!.split('|');
  if (p.length < 17) return undefined;
  const [year, month, weekday, weekdayNumber, weeknumber, day, hour, minute, second, epoch, tz, tzOffset] = p as [string, string, string, string, string, string, string, string, string, string, string, string];
  const micro = (p[16] ?? '000000').slice(0, 6).padEnd(6, '0');
  const date = `${year}-${month}-${day}`;
  const time = `${hour}:${minute}:${second}`;
  // one `date` call: the UTC forms come from its epoch, so every key names the same instant
  const iso = `${new Date(Number(epoch) * 1000).toISOString().slice(0, 19)}Z`;
  return {
    year, month, weekday, weekday_number: weekdayNumber, weeknumber, day, hour, minute, second, epoch, epoch_int: epoch,
    date, time, tz, tz_dst: tz, tz_offset: tzOffset,
    iso8601: iso, iso8601_micro: iso.replace('Z', `.${micro}Z`), iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}000000`, iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
  };
}

function dns(text: string | undefined): Facts {
  const out: Facts = {};
  const nameservers: string[] = [];
  for (const l of lines(text)) {
    const [k, ...rest] = l.trim().split(/\s+/);
    if (k === undefined || k.startsWith('#') || k.startsWith(';')) continue;
    if (k === 'nameserver' && rest[0]) nameservers.push(rest[0]);
    else if (k === 'domain' && rest[0]) out.domain = rest[0];
    else if (k === 'search') out.search = rest;
    else if (k === 'sortlist') out.sortlist = rest;
    else if (k === 'options') {
      const opts: Record<string, string | boolean> = {};
      for (const o of rest) {
        const [ok, ov] = o.split(':');
        opts[ok!] = ov ?? true;
      }
      out.options = opts;
    }
  }
  if (nameservers.length > 0) out.nameservers = nameservers;
  return out;
}

const PKG: Record<string, string> = { 'apt-get': 'apt', dnf: 'dnf', yum: 'yum', zypper: 'zypper', apk: 'apk', pacman: 'pacman' };

export function pkgMgr(text: string | undefined, family: unknown): string {
  const found = lines(text).map((l) => PKG[l.trim()]).filter((x): x is string => x !== undefined);
  // pkg_mgr.py: the family's own manager wins when it is installed
  const preferred = family === 'Debian' ? 'apt' : family === 'RedHat' ? 'dnf' : family === 'Suse' ? 'zypper' : family === 'Alpine' ? 'apk' : family === 'Archlinux' ? 'pacman' : undefined;
  if (preferred && found.includes(preferred)) return preferred;
  return found[0] ?? 'unknown';
}

// service_mgr.py: pid 1's name, except init or a shell, then what is installed
const PROC1: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };
export function serviceMgr(text: string | undefined): string {
  const ls = lines(text);
  const marks = new Set(ls.filter((l) => l.startsWith('@')));
  const proc1 = ls.find((l) => !l.startsWith('@'))?.trim();
  if (proc1 && proc1 !== 'init' && !proc1.endsWith('sh')) return PROC1[proc1] ?? proc1;
  if (marks.has('@systemd-run') && marks.has('@systemctl')) return 'systemd';
  if (marks.has('@openrc')) return 'openrc';
  if (marks.has('@initd')) return 'sysvinit';
  return 'service';
}

function python(text: string | undefined): Facts | undefined {
  const [exe, ver] = lines(text);
  if (!exe || !ver) return undefined;
  const [major, minor, micro, releaselevel, serial] = ver.split(' ');
  const info = [Number(major), Number(minor), Number(micro), releaselevel, Number(serial)];
  return { executable: exe, type: 'cpython', version: { major: info[0], minor: info[1], micro: info[2], releaselevel, serial: info[4] }, version_info: info };
}

function selinux(text: string | undefined): Facts {
  const ls = lines(text);
  const mode = ls.find((l) => !l.startsWith('@'))?.trim().toLowerCase();
  if (mode === 'enforcing' || mode === 'permissive') return { status: 'enabled', mode };
  return { status: 'disabled' };
}

function hardware(s: Map<string, string>, f: Facts): void {
  const cpu = s.get('cpuinfo') ?? '';
  const blocks = cpu.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const physical = new Set<string>();
  let cores = 0;
  const list: string[] = [];
  for (const b of blocks) {
    const kv = keyValues(b, /\s*:\s?/);
    physical.add(kv['physical id'] ?? '0');
    if (kv['cpu cores']) cores = Number(kv['cpu cores']);
    list.push(kv.processor ?? String(list.length), kv.vendor_id ?? '', kv['model name'] ?? '');
  }
  const vcpus = blocks.length || Number(lines(s.get('nproc'))[0] ?? 0);
  if (vcpus > 0) {
    f.processor = list;
    f.processor_count = physical.size || 1;
    f.processor_cores = cores || 1;
    f.processor_threads_per_core = Math.max(1, Math.floor(vcpus / ((physical.size || 1) * (cores || 1))));
    f.processor_vcpus = vcpus;
    f.processor_nproc = Number(lines(s.get('nproc'))[0] ?? vcpus);
  }
  const mem = keyValues(s.get('meminfo'), /:/);
  const mb = (k: string) => (mem[k] ? Math.floor(parseInt(mem[k]!, 10) / 1024) : undefined);
  if (mem.MemTotal) {
    f.memtotal_mb = mb('MemTotal');
    f.memfree_mb = mb('MemFree');
    f.swaptotal_mb = mb('SwapTotal') ?? 0;
    f.swapfree_mb = mb('SwapFree') ?? 0;
  }
  const mounts: Facts[] = [];
  for (const l of lines(s.get('mounts'))) {
    const [device, mount, fstype, options, numbers] = l.split('\t');
    const [bsize, blocksTotal, blocksAvail, inodesTotal, inodesFree] = (numbers ?? '').split(' ').map(Number);
    const m: Facts = { mount, device, fstype, options, uuid: 'N/A' };
    if (bsize !== undefined && !Number.isNaN(bsize) && blocksTotal !== undefined && !Number.isNaN(blocksTotal)) {
      Object.assign(m, {
        block_size: bsize, block_total: blocksTotal, block_available: blocksAvail, block_used: blocksTotal - (blocksAvail ?? 0),
        size_total: bsize * blocksTotal, size_available: bsize * (blocksAvail ?? 0),
        inode_total: inodesTotal, inode_available: inodesFree, inode_used: (inodesTotal ?? 0) - (inodesFree ?? 0),
      });
    }
    mounts.push(m);
  }
  f.mounts = mounts;
}

function network(s: Map<string, string>, f: Facts): void {
  const [routeGet, table] = (s.get('route') ?? '').split('@table');
  const def: Facts = {};
  const rg = /\bdev (\S+)/.exec(routeGet ?? '');
  if (rg) {
    def.interface = rg[1];
    const src = /\bsrc (\S+)/.exec(routeGet ?? '');
    if (src) def.address = src[1];
    const via = /\bvia (\S+)/.exec(routeGet ?? '');
    if (via) def.gateway = via[1];
  } else {
    // no ip(8): the kernel's routing table, gateway as little-endian hex
    for (const l of lines(table).slice(1)) {
      const [iface, dest, gw] = l.trim().split(/\s+/);
      if (dest === '00000000' && iface && gw) {
        def.interface = iface;
        def.gateway = (gw.match(/../g) ?? []).reverse().map((h) => parseInt(h, 16)).join('.');
        break;
      }
    }
  }
  const dotted = (n: number) => [24, 16, 8, 0].map((b) => (n >>> b) & 255).join('.');
  const ipv4 = (address: string, prefix: number, broadcast?: string): Facts => {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const ip = address.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    return { address, broadcast: broadcast ?? '', netmask: dotted(mask), network: dotted((ip & mask) >>> 0), prefix: String(prefix) };
  };
  // per interface, as Ansible's linux network facts: ansible_<name> (dashes as underscores)
  const ifaces = new Map<string, Facts>();
  for (const l of lines(s.get('links'))) {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>.*?\bmtu (\d+).*?link\/(\S+)(?:\s+([0-9a-f:]{17}))?/.exec(l);
    if (!m) continue;
    const flags = m[2]!.split(',');
    ifaces.set(m[1]!, {
      device: m[1], active: flags.includes('UP'), promisc: flags.includes('PROMISC'), mtu: Number(m[3]),
      type: m[4] === 'loopback' ? 'loopback' : m[4] === 'ether' ? 'ether' : m[4], ...(m[5] && m[4] !== 'loopback' ? { macaddress: m[5] } : {}),
    });
  }
  const all: string[] = [];
  const all6: string[] = [];
  for (const l of lines(s.get('addrs'))) {
    const m4 = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\/(\d+)(?:\s+brd\s+([\d.]+))?/.exec(l);
    const m6 = /^\d+:\s+(\S+)\s+inet6\s+([0-9a-f:]+)\/(\d+)\s+scope\s+(\S+)/.exec(l);
    const name = (m4 ?? m6)?.[1];
    if (!name) continue;
    const f2 = ifaces.get(name) ?? { device: name };
    ifaces.set(name, f2);
    if (m4) {
      const v4 = ipv4(m4[2]!, Number(m4[3]), m4[4]);
      if (f2.ipv4 === undefined) f2.ipv4 = v4;
      else ((f2.ipv4_secondaries ??= []) as Facts[]).push(v4);
      if (!m4[2]!.startsWith('127.')) all.push(m4[2]!);
    } else if (m6) {
      ((f2.ipv6 ??= []) as Facts[]).push({ address: m6[2], prefix: m6[3], scope: m6[4] });
      if (m6[2] !== '::1') all6.push(m6[2]!);
    }
  }
  const own = def.interface !== undefined ? ifaces.get(String(def.interface)) : undefined;
  if (own) {
    const v4 = own.ipv4 as Facts | undefined;
    if (v4) {
      def.address ??= v4.address;
      Object.assign(def, { netmask: v4.netmask, network: v4.network, prefix: v4.prefix, broadcast: v4.broadcast });
    }
    for (const k of ['macaddress', 'mtu', 'type']) if (own[k] !== undefined) def[k] = own[k];
    def.alias = def.interface;
  }
  f.default_ipv4 = def;
  f.all_ipv4_addresses = all;
  f.all_ipv6_addresses = all6;
  f.interfaces = [...ifaces.keys()];
  for (const [name, facts] of ifaces) {
    const key = name.replace(/[-:.]/g, '_');
    if (!(key in f)) f[key] = facts;
  }
}

function virtual(text: string | undefined, f: Facts): void {
  const ls = lines(text);
  const marks = new Set(ls.filter((l) => l.startsWith('@')));
  const [container, vm] = ls.filter((l) => !l.startsWith('@'));
  if (container && container !== 'none') {
    f.virtualization_type = container === 'docker' || marks.has('@dockerenv') ? 'docker' : container === 'podman' || marks.has('@containerenv') ? 'podman' : container;
    f.virtualization_role = 'guest';
  } else if (marks.has('@dockerenv') || marks.has('@containerenv')) {
    f.virtualization_type = marks.has('@dockerenv') ? 'docker' : 'podman';
    f.virtualization_role = 'guest';
  } else if (vm && vm !== 'none') {
    f.virtualization_type = vm;
    f.virtualization_role = 'guest';
  } else {
    f.virtualization_type = 'NA';
    f.virtualization_role = 'NA';
  }
}

/** Every fact the sections give, by Ansible's name without the `ansible_` prefix. */
export function parseFacts(s: Map<string, string>): Facts {
  const f: Facts = {};
  if (s.has('uname')) {
    platform(s, f);
    distribution(s, f);
    f.lsb = lsb(s.get('lsb'));
    user(s.get('user'), f);
    f.env = env(s.get('env'));
    const dt = dateTime(s.get('date'));
    if (dt) f.date_time = dt;
    f.dns = dns(s.get('dns'));
    f.pkg_mgr = pkgMgr(s.get('pkgmgr'), f.os_family);
    f.service_mgr = serviceMgr(s.get('svcmgr'));
    const py = python(s.get('python'));
    if (py) {
      f.python = py;
      f.python_version = `${(py.version as Facts).major}.${(py.version as Facts).minor}.${(py.version as Facts).micro}`;
    }
    f.selinux = selinux(s.get('selinux'));
    f.selinux_python_present = false;
  }
  if (s.has('cpuinfo')) hardware(s, f);
  if (s.has('route')) network(s, f);
  if (s.has('virt')) virtual(s.get('virt'), f);
  for (const [k, v] of Object.entries(f)) if (v === undefined) delete f[k];
  return f;
}
