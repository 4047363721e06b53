#!/usr/bin/env bash
# Real OpenSSH test hosts on loopback: independent sshd daemons on 127.0.0.2..127.0.0.4 port 2222,
# each with its own config, host key, pid file and log, each in its own mount namespace with a
# private /tmp, so hosts never clobber each other's files (the way separate machines would not).
#
#   sshd-hosts.sh start              the three test hosts; prints GX_TEST_SSH_* lines (idempotent)
#   sshd-hosts.sh stop [--force]     kills every host (all processes in their namespaces) and removes
#                                    the state, unless another test run that started them still runs
#   sshd-hosts.sh start-host ADDR [nosftp]  one more host on ADDR:2222 (tests that kill a host use
#                                    their own); nosftp: a host without the SFTP subsystem
#   sshd-hosts.sh kill-host ADDR     kills that host and every session on it (sshd "crashed")
#   sshd-hosts.sh start-bench N      N more hosts on 127.0.1.1..127.0.1.N (the benchmark); prints
#                                    GX_BENCH_SSH_HOSTS and GX_BENCH_SSH_KNOWN_HOSTS
#   sshd-hosts.sh stop-bench         kills the benchmark hosts only
#
# Users: gxtest (passwordless sudo) and gxpass (sudo asks for the password GX_TEST_SSH_PASS_PASSWORD,
# which is test data). Both log in with the generated client key; gxpass also with its password.
set -euo pipefail

STATE=${GX_TEST_SSH_STATE:-/var/tmp/gx-test/ssh}   # not under /tmp: each host gets a private /tmp
PORT=2222
HOSTS=(127.0.0.2 127.0.0.3 127.0.0.4)
PASS_PASSWORD='gx-sudo-Pa55 word'
KEY_PASSPHRASE='gx-key passphrase'
SELF=$(readlink -f "${BASH_SOURCE[0]}")

log() { echo "sshd-hosts: $*" >&2; }

install_packages() {
  local missing=()
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v sudo >/dev/null || missing+=(sudo)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  command -v unshare >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
}

ensure_user() {
  local user=$1
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
  cat "$STATE/client/id_ed25519.pub" "$STATE/client/id_pass.pub" > "$home/.ssh/authorized_keys"
  chown "$user:$user" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"
}

ensure_users() {
  ensure_user gxtest
  ensure_user gxpass
  # sshd without PAM refuses locked accounts ("!" in shadow) even for key logins
  usermod -p '*' gxtest
  echo "gxpass:$PASS_PASSWORD" | chpasswd
  install -d -m 755 /etc/sudoers.d
  printf '%s\n' 'gxtest ALL=(ALL:ALL) NOPASSWD: ALL' 'gxpass ALL=(ALL:ALL) ALL' 'Defaults:gxpass lecture=never' \
    > /etc/sudoers.d/gx-test.tmp
  chmod 440 /etc/sudoers.d/gx-test.tmp
  visudo -cq -f /etc/sudoers.d/gx-test.tmp
  mv -f /etc/sudoers.d/gx-test.tmp /etc/sudoers.d/gx-test
}

ensure_client_keys() {
  install -d -m 755 "$STATE" "$STATE/client" "$STATE/hosts"
  [ -f "$STATE/client/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C gx-test -f "$STATE/client/id_ed25519"
  [ -f "$STATE/client/wrong_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C gx-test-unauthorized -f "$STATE/client/wrong_ed25519"
  [ -f "$STATE/client/id_pass" ] || ssh-keygen -q -t ed25519 -N "$KEY_PASSPHRASE" -C gx-test-passphrase -f "$STATE/client/id_pass"
}

host_dir() { echo "$STATE/hosts/$1"; }

host_running() {
  local pidfile
  pidfile="$(host_dir "$1")/sshd.pid"
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ]
}

start_host() {
  local addr=$1 sftp="Subsystem sftp internal-sftp" dir
  [ "${2:-}" = nosftp ] && sftp="# no SFTP on this host"
  dir=$(host_dir "$addr")
  install -d -m 755 "$dir"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "gx-test-host-$addr" -f "$dir/ssh_host_ed25519_key"
  cat > "$dir/sshd_config" <<EOF
ListenAddress $addr:$PORT
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers gxtest gxpass
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding yes
MaxSessions 32
MaxStartups 200:30:400
LoginGraceTime 30
LogLevel VERBOSE
$sftp
EOF
  if host_running "$addr"; then
    # a host started by a run from another checkout under /tmp cannot see this one (its /tmp is
    # private), and the tests put this checkout's command doubles on the hosts' PATH: restart it
    if [ -e "/proc/$(cat "$dir/sshd.pid")/root$REPO_ROOT/package.json" ]; then return 0; fi
    log "sshd on $addr cannot see $REPO_ROOT; restarting it"
    kill_host "$addr"
  fi
  kill_orphan "$addr"
  install -d -m 755 /run/sshd
  rm -f "$dir/sshd.pid"
  # the mount namespace outlives unshare through the daemon; its private /tmp dies with the host.
  # A checkout that itself lives under /tmp (CI clones anywhere) stays visible at the same path,
  # because tests put the repository's command doubles on the hosts' PATH.
  unshare -m --propagation private sh -c '
    repo="$3"; keep=""
    case "$repo" in /tmp/*) keep="/run/gx-host-repo-$$"; mkdir -p "$keep" && mount --bind "$repo" "$keep" || exit 1 ;; esac
    mount -t tmpfs -o mode=1777,size=2g gx-host-tmp /tmp || exit 1
    if [ -n "$keep" ]; then mkdir -p "$repo" && mount --move "$keep" "$repo" && rmdir "$keep" || exit 1; fi
    exec /usr/sbin/sshd -f "$1" -E "$2"' \
    gx-host "$dir/sshd_config" "$dir/sshd.log" "$REPO_ROOT" 9>&-  # the daemon must not hold the script lock
  local i
  for i in $(seq 1 100); do
    host_running "$addr" && return 0
    sleep 0.05
  done
  log "sshd on $addr did not start; see $dir/sshd.log"
  tail -n 20 "$dir/sshd.log" >&2 || true
  return 1
}

# A host is every process in its mount namespace: the listener, its per-connection children, the
# users' shells. Namespace identity makes this exact; it never touches the machine's own sshd.
# One pass over /proc for any number of hosts (a teardown of 50 hosts stays quick); pid files go
# only after the kill, so an interrupted stop can be run again.
kill_hosts() {
  local addr pid ns self p
  local -A doomed=()
  local -a pidfiles=()
  self=$(readlink /proc/self/ns/mnt)
  for addr in "$@"; do
    p="$(host_dir "$addr")/sshd.pid"
    [ -f "$p" ] || continue
    pidfiles+=("$p")
    pid=$(cat "$p")
    [ -n "$pid" ] && [ -e "/proc/$pid/ns/mnt" ] || continue
    ns=$(readlink "/proc/$pid/ns/mnt") || continue
    [ "$ns" != "$self" ] && doomed[$ns]=1
  done
  if [ ${#doomed[@]} -gt 0 ]; then
    for p in /proc/[0-9]*; do
      ns=$(readlink "$p/ns/mnt" 2>/dev/null) || continue
      [ -n "${doomed[$ns]:-}" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
  fi
  [ ${#pidfiles[@]} -eq 0 ] || rm -f "${pidfiles[@]}"
  return 0
}

kill_host() { kill_hosts "$1"; }

# An sshd of ours still listening on the address without a pid file (a teardown cut short):
# it runs an old config or key, so it goes.
kill_orphan() {
  local addr=$1 pid
  for pid in $(pgrep -f "sshd -f $(host_dir "$addr")/sshd_config " || true); do
    echo "$pid" > "$(host_dir "$addr")/sshd.pid"
    kill_hosts "$addr"
  done
}

known_hosts_line() {
  local addr=$1 key
  key=$(cut -d' ' -f1,2 "$(host_dir "$addr")/ssh_host_ed25519_key.pub")
  echo "[$addr]:$PORT $key"
}

write_known_hosts() {
  local out=$1; shift
  local addr
  : > "$out.tmp"
  for addr in "$@"; do known_hosts_line "$addr" >> "$out.tmp"; done
  mv -f "$out.tmp" "$out"
}

prepare() {
  install_packages
  ensure_client_keys
  ensure_users
}

# Several test runs can share the hosts (one per engineer, say): each `start` records the process
# that asked (the mocha run), and `stop` tears down only when no such process is left.
register_user() {
  install -d -m 755 "$STATE/users"
  : > "$STATE/users/$PPID"
}

others_running() {
  local f pid
  rm -f "$STATE/users/$PPID"
  for f in "$STATE"/users/*; do
    [ -e "$f" ] || continue
    pid=$(basename "$f")
    if [ -d "/proc/$pid" ]; then return 0; fi
    rm -f "$f"
  done
  return 1
}

cmd_start() {
  prepare
  register_user
  local addr
  for addr in "${HOSTS[@]}"; do start_host "$addr"; done
  write_known_hosts "$STATE/known_hosts" "${HOSTS[@]}"
  local IFS=,
  echo "GX_TEST_SSH_HOSTS=${HOSTS[*]}"
  echo "GX_TEST_SSH_PORT=$PORT"
  echo "GX_TEST_SSH_USER=gxtest"
  echo "GX_TEST_SSH_KEY=$STATE/client/id_ed25519"
  echo "GX_TEST_SSH_WRONG_KEY=$STATE/client/wrong_ed25519"
  echo "GX_TEST_SSH_PASSPHRASE_KEY=$STATE/client/id_pass"
  echo "GX_TEST_SSH_KEY_PASSPHRASE=$KEY_PASSPHRASE"
  echo "GX_TEST_SSH_KNOWN_HOSTS=$STATE/known_hosts"
  echo "GX_TEST_SSH_PASS_USER=gxpass"
  echo "GX_TEST_SSH_PASS_PASSWORD=$PASS_PASSWORD"
  echo "GX_TEST_SSH_STATE=$STATE"
  echo "GX_TEST_SSH_SCRIPT=$SELF"
}

cmd_start_host() {
  prepare >/dev/null
  start_host "$1" "${2:-}"
  echo "GX_TEST_SSH_HOST_KEY_LINE=$(known_hosts_line "$1")"
}

cmd_start_bench() {
  local n=$1 i addrs=()
  [ "$n" -ge 1 ] && [ "$n" -le 250 ] || { log "start-bench: N must be 1..250"; exit 2; }
  prepare
  register_user
  for i in $(seq 1 "$n"); do addrs+=("127.0.1.$i"); done
  for i in "${addrs[@]}"; do start_host "$i"; done
  write_known_hosts "$STATE/known_hosts_bench" "${addrs[@]}"
  local IFS=,
  echo "GX_BENCH_SSH_HOSTS=${addrs[*]}"
  echo "GX_BENCH_SSH_KNOWN_HOSTS=$STATE/known_hosts_bench"
  echo "GX_TEST_SSH_PORT=$PORT"
  echo "GX_TEST_SSH_USER=gxtest"
  echo "GX_TEST_SSH_KEY=$STATE/client/id_ed25519"
}

all_hosts() {
  local d
  for d in "$STATE"/hosts/$1/; do
    [ -d "$d" ] && basename "$d"
  done
  return 0
}

cmd_stop_bench() {
  rm -f "$STATE/users/$PPID"
  # shellcheck disable=SC2046
  kill_hosts $(all_hosts '127.0.1.*')
}

cmd_stop() {
  [ -d "$STATE/hosts" ] || return 0
  if [ "${1:-}" != --force ] && others_running; then
    log "hosts still used by another test run; not stopping them (stop --force does)"
    return 0
  fi
  # shellcheck disable=SC2046
  kill_hosts $(all_hosts '*')
  rm -rf "$STATE"
}

# Test runs of several people (and the benchmark) call this script at the same time: one at a time,
# or a start could take another's half-started sshd for an orphan, or a stop pull hosts from under
# a start.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
install -d -m 755 "$(dirname "$STATE")"
exec 9>"$(dirname "$STATE")/.sshd-hosts.lock"
flock 9

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  start-host) cmd_start_host "${2:?address}" "${3:-}" ;;
  kill-host) kill_host "${2:?address}" ;;
  start-bench) cmd_start_bench "${2:?number of hosts}" ;;
  stop-bench) cmd_stop_bench ;;
  *) echo "usage: $0 start|stop [--force]|start-host ADDR [nosftp]|kill-host ADDR|start-bench N|stop-bench" >&2; exit 2 ;;
esac
