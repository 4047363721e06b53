// The modules of ansible-core 2.14's ansible.builtin collection (lib/ansible/modules/ at v2.14.17),
// so that a task naming one gx does not have is told apart from a typo: Ansible resolves it, and
// a role may hold it on a path it never takes on these hosts (`when: ansible_os_family ==
// 'RedHat'`, a loop over an empty list). Such a task is a warning before the run and fails only if
// a host reaches it; any other unknown name stays an error at load.
const BUILTINS = new Set([
  'add_host', 'apt', 'apt_key', 'apt_repository', 'assemble', 'assert', 'async_status', 'blockinfile', 'command',
  'copy', 'cron', 'debconf', 'debug', 'dnf', 'dpkg_selections', 'expect', 'fail', 'fetch', 'file', 'find',
  'gather_facts', 'get_url', 'getent', 'git', 'group', 'group_by', 'hostname', 'include_vars', 'iptables',
  'known_hosts', 'lineinfile', 'meta', 'package', 'package_facts', 'pause', 'ping', 'pip', 'raw', 'reboot',
  'replace', 'rpm_key', 'script', 'service', 'service_facts', 'set_fact', 'set_stats', 'setup', 'shell', 'slurp',
  'stat', 'subversion', 'systemd', 'systemd_service', 'sysvinit', 'tempfile', 'template', 'unarchive', 'uri',
  'user', 'validate_argument_spec', 'wait_for', 'wait_for_connection', 'yum', 'yum_repository',
]);

/** The short name when `name` is an ansible.builtin (or ansible.legacy) module, else undefined. */
export function ansibleBuiltin(name: string): string | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return BUILTINS.has(short) ? short : undefined;
}
