// The one shell script `setup` runs on the host: every raw source of the facts, in sections
// ("@@name" lines), parsed on the controller (parse.ts). POSIX sh and tools every Linux has;
// a missing tool leaves its section empty rather than failing the whole gather.

/** Sections by subset: `min` is always gathered unless `!min`; the others as Ansible's subsets. */
export const SUBSET_SECTIONS: Record<'min' | 'hardware' | 'network' | 'virtual', Record<string, string>> = {
  min: {
    uname: 'uname -s; uname -r; uname -v; uname -m; uname -n',
    fqdn: 'hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n',
    osrelease: 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
    lsb: 'cat /etc/lsb-release 2>/dev/null || { command -v lsb_release >/dev/null 2>&1 && lsb_release -a 2>/dev/null; }',
    user: 'id -un; id -u; id -g; echo "$HOME"; getent passwd "$(id -un)" 2>/dev/null',
    env: 'env',
    date: "date '+%Y|%m|%A|%w|%W|%d|%H|%M|%S|%s|%Z|%z|%B|%b|%a|%j|%N'",
    dns: 'cat /etc/resolv.conf 2>/dev/null',
    pkgmgr: 'for p in apt-get dnf yum zypper apk pacman; do command -v $p >/dev/null 2>&1 && echo $p; done',
    svcmgr:
      'cat /proc/1/comm 2>/dev/null; [ -d /run/systemd/system ] && echo "@systemd-run"; command -v systemctl >/dev/null 2>&1 && echo "@systemctl"; ' +
      '[ -e /sbin/openrc ] && echo "@openrc"; [ -d /etc/init.d ] && echo "@initd"; true',
    // the interpreter Ansible's discovery picks on the distributions it maps (Debian, Ubuntu, RHEL…:
    // /usr/bin/python3, config/base.yml INTERPRETER_PYTHON_DISTRO_MAP), else the first on PATH
    python:
      'for p in /usr/bin/python3 python3 python; do command -v $p >/dev/null 2>&1 && { $p -c "import sys; v=sys.version_info; print(sys.executable); print(v[0], v[1], v[2], v[3], v[4])" 2>/dev/null; break; }; done',
    selinux: 'command -v getenforce >/dev/null 2>&1 && getenforce 2>/dev/null; [ -d /sys/fs/selinux ] && echo "@fs"; true',
  },
  hardware: {
    cpuinfo: 'cat /proc/cpuinfo 2>/dev/null',
    nproc: 'nproc 2>/dev/null',
    meminfo: 'cat /proc/meminfo 2>/dev/null',
    mounts:
      // only real devices, as Ansible's get_mount_facts; statvfs numbers through stat -f
      "while read -r dev mnt fs opts _; do case \"$dev\" in /*|*:/*) ;; *) continue;; esac; [ \"$fs\" = none ] && continue; " +
      'printf "%s\\t%s\\t%s\\t%s\\t%s\\n" "$dev" "$mnt" "$fs" "$opts" "$(timeout 2 stat -f -c \'%S %b %a %c %d\' "$mnt" 2>/dev/null)"; done < /proc/mounts',
  },
  network: {
    route: 'command -v ip >/dev/null 2>&1 && ip -4 route get 8.8.8.8 2>/dev/null; echo "@table"; cat /proc/net/route 2>/dev/null',
    addrs: 'command -v ip >/dev/null 2>&1 && ip -o addr show 2>/dev/null',
    links: 'command -v ip >/dev/null 2>&1 && ip -o link show 2>/dev/null',
  },
  virtual: {
    virt: 'command -v systemd-detect-virt >/dev/null 2>&1 && { systemd-detect-virt -c 2>/dev/null; systemd-detect-virt -v 2>/dev/null; true; }; [ -e /.dockerenv ] && echo "@dockerenv"; [ -e /run/.containerenv ] && echo "@containerenv"; true',
  },
};

/** The script for the chosen sections, each output after its "@@name" line. */
export function factScript(sections: Record<string, string>): string {
  return Object.entries(sections)
    .map(([name, body]) => `echo "@@${name}"; { ${body}; } 2>/dev/null`)
    .join('\n');
}

/** The script's output, split back into its sections. */
export function splitSections(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let name: string | undefined;
  let buf: string[] = [];
  for (const line of out.split('\n')) {
    const hit = /^@@([a-z]+)$/.exec(line);
    if (hit) {
      if (name !== undefined) m.set(name, buf.join('\n'));
      name = hit[1]!;
      buf = [];
    } else buf.push(line);
  }
  if (name !== undefined) m.set(name, buf.join('\n'));
  return m;
}
