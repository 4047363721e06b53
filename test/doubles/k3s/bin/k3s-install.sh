#!/usr/bin/env bash
# A double of get.k3s.io's install.sh for the offline case (INSTALL_K3S_SKIP_DOWNLOAD=true): it
# keeps the script's documented behaviour and messages, and writes what the real script writes:
# the kubectl/crictl/ctr symlinks, k3s-killall.sh and k3s-uninstall.sh in INSTALL_K3S_BIN_DIR,
# SERVICE.service.env (K3S_*/CONTAINERD_* variables, mode 0600) and SERVICE.service in
# INSTALL_K3S_SYSTEMD_DIR with ExecStart quoted one word per line; then systemctl enable and
# daemon-reload, and a restart only when the binary, unit or env file changed (or
# INSTALL_K3S_FORCE_RESTART=true), never with INSTALL_K3S_SKIP_START=true.
# When it starts a server it also does what k3s does on its first start: writes the kubeconfig
# (--write-kubeconfig, --write-kubeconfig-mode) and DATA_DIR/server/node-token.
# Every run's INSTALL_K3S_*/K3S_* environment is kept in $S/k3s/install-N.env for the test; its
# arguments (the command and its flags) are in the call log, as every double's.
# It refuses to write anything outside the doubles' state directory.
# An agent (K3S_URL set, or the command `agent`) that starts joins the cluster the way the real one
# registers with the server at K3S_URL: the server's start wrote its token and --node-ip into
# $GX_K3S_CLUSTER (default $S/k3s/cluster, shared by the "VMs" of a test); the agent's K3S_TOKEN
# (or the file K3S_TOKEN_FILE names) must be that token or its password part after `::server:`, and
# K3S_URL https://NODE_IP:6443, else it never registers (k3s-agent keeps retrying; the reason is in
# $S/k3s/agent.log). Registered, it is $GX_K3S_CLUSTER/agents/NODE_NAME holding its version.
# Read in k3s-io/k3s install.sh (the stored copy, commit 0136cf25): setup_env() picks `agent` when
# K3S_URL is set and fails when neither K3S_TOKEN nor K3S_TOKEN_FILE is; SYSTEM_NAME is k3s-agent,
# the uninstall script ${SYSTEM_NAME}-uninstall.sh, Type=notify unless INSTALL_K3S_TYPE;
# create_env_file() touches SERVICE.env, chmods it 0600, then writes every K3S_*/CONTAINERD_*
# variable into it (K3S_TOKEN included).
# Differences: `systemctl enable` gets the unit name, not the unit file path (the systemctl double
# keys its state by name); nothing is downloaded or verified, SELinux and openrc are not handled.
source "$(dirname "$0")/../../lib.sh"
set -f
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }
inside() { case $1 in "$S"/*) ;; *) fatal "k3s-install.sh double: refusing to write $1 outside $S" ;; esac; }

mkdir -p "$S/k3s"
n=1; while [ -e "$S/k3s/install-$n.env" ]; do n=$((n + 1)); done
env | grep -E '^(INSTALL_K3S|K3S|CONTAINERD)_' | LC_ALL=C sort > "$S/k3s/install-$n.env"
maybe_fail run

BIN_DIR=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
SYSTEMD_DIR=${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}
[ "${INSTALL_K3S_SKIP_DOWNLOAD:-}" = true ] || fatal "k3s-install.sh double: there is no internet here, set INSTALL_K3S_SKIP_DOWNLOAD=true"
inside "$BIN_DIR/k3s"; inside "$SYSTEMD_DIR/k3s.service"

# The command and its flags, as install.sh puts them together. Read in k3s-io/k3s install.sh, wanted
# at tag v1.32.3+k3s1: the tag itself could not be checked out here (the repository is over the
# snapshot size limit and the code index keeps commits, not tags), so it was read in the stored
# copies, the newest (commit 0136cf25) and one of 2020 (0efe2af1): both have, word for word, the line
# after "re-evaluate args to include env command" and the escape() and quote() it calls:
#   eval set -- $(escape "${INSTALL_K3S_EXEC}") $(quote "$@")
# - escape() puts a backslash before each of  ! # $ % & ( ) * ; < = > ? [ \ ] _ ` { | }  (every
#   punctuation character but the quotes ' and ", / and + , - . : @ ^ ~); quote() wraps each positional
#   argument in single quotes, a ' inside as '\''.
# - Both substitutions are unquoted: their output is split on IFS (space, tab, newline; noglob is on),
#   and eval joins the pieces with single spaces and parses the result as shell.
# So in INSTALL_K3S_EXEC the escaped characters are literal, but a ' or " is shell quoting: an odd one
# is a syntax error, a pair joins words (and inside '...' the inserted backslashes stay, inside "..."
# only \$ \` \\ lose theirs). A positional argument arrives intact, except that a tab, a newline or a
# run of spaces in it comes out as one space. This double does the same (its own code, same rules):
# bash's eval where the real script has dash's; both exit 2 on the syntax error.
escape() {
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      '!'|'#'|'$'|'%'|'&'|'('|')'|'*'|';'|'<'|'='|'>'|'?'|'['|'\'|']'|'_'|'`'|'{'|'|'|'}') out+="\\$c" ;;
      *) out+=$c ;;
    esac
  done
  printf '%s' "$out"
}
quote() { local a q="'\\''"; for a in "$@"; do printf "'%s'\n" "${a//\'/$q}"; done; }
eval set -- $(escape "${INSTALL_K3S_EXEC:-}") $(quote "$@") || exit 2
case ${1:-} in
  server|agent) CMD=$1; shift ;;
  *) if [ -n "${K3S_URL:-}" ]; then CMD=agent; else CMD=server; fi ;;
esac
if [ -n "${K3S_URL:-}" ] && [ "$CMD" = agent ] && [ -z "${K3S_TOKEN:-}" ] && [ -z "${K3S_TOKEN_FILE:-}" ]; then
  fatal "Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined."
fi
if [ "$CMD" = server ]; then SYSTEM_NAME=k3s; else SYSTEM_NAME=k3s-$CMD; fi
FILE_K3S_SERVICE=$SYSTEMD_DIR/$SYSTEM_NAME.service
FILE_K3S_ENV=$FILE_K3S_SERVICE.env

hashes() { sha256sum "$BIN_DIR/k3s" "$FILE_K3S_SERVICE" "$FILE_K3S_ENV" 2>&1 || true; }
PRE_INSTALL_HASHES=$(hashes)

info "Skipping k3s download and verify"
[ -x "$BIN_DIR/k3s" ] || fatal "Executable k3s binary not found at $BIN_DIR/k3s"
for c in kubectl crictl ctr; do
  if [ ! -e "$BIN_DIR/$c" ]; then info "Creating $BIN_DIR/$c symlink to k3s"; ln -sf k3s "$BIN_DIR/$c"; fi
done
info "Creating killall script $BIN_DIR/k3s-killall.sh"
printf '#!/bin/sh\n# k3s-killall.sh (double)\n' > "$BIN_DIR/k3s-killall.sh"; chmod 755 "$BIN_DIR/k3s-killall.sh"
info "Creating uninstall script $BIN_DIR/$SYSTEM_NAME-uninstall.sh"
printf '#!/bin/sh\n# %s-uninstall.sh (double)\n' "$SYSTEM_NAME" > "$BIN_DIR/$SYSTEM_NAME-uninstall.sh"; chmod 755 "$BIN_DIR/$SYSTEM_NAME-uninstall.sh"

info "env: Creating environment file $FILE_K3S_ENV"
( umask 077; env | grep -E '^(K3S|CONTAINERD)_' | LC_ALL=C sort | sed -e "s/'/'\\\\''/g" -e "s/=\(.*\)/='\1'/" > "$FILE_K3S_ENV" )

exec_lines=$(for a in "$@"; do printf '\t%s \\\n' "$(quote "$a")"; done)
info "systemd: Creating service file $FILE_K3S_SERVICE"
TYPE=${INSTALL_K3S_TYPE:-notify}
cat > "$FILE_K3S_SERVICE" <<UNIT
[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=$TYPE
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-$FILE_K3S_ENV
KillMode=process
Delegate=yes
User=root
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=$BIN_DIR/k3s \\
    $CMD \\
$exec_lines

UNIT
# systemd now knows the unit (the systemctl double's state)
u="$S/systemd/$SYSTEM_NAME.service"; mkdir -p "$u"
[ -f "$u/enabled" ] || echo disabled > "$u/enabled"
[ -f "$u/active" ] || echo inactive > "$u/active"

[ "${INSTALL_K3S_SKIP_ENABLE:-}" = true ] && exit 0
info "systemd: Enabling $SYSTEM_NAME unit"
systemctl enable "$SYSTEM_NAME" >/dev/null 2>&1 || fatal "systemctl enable $SYSTEM_NAME failed"
systemctl daemon-reload >/dev/null
[ "${INSTALL_K3S_SKIP_START:-}" = true ] && exit 0
POST_INSTALL_HASHES=$(hashes)
if [ "$PRE_INSTALL_HASHES" = "$POST_INSTALL_HASHES" ] && [ "${INSTALL_K3S_FORCE_RESTART:-}" != true ]; then
  info 'No change detected so skipping service start'
  exit 0
fi
info "systemd: Starting $SYSTEM_NAME"
systemctl restart "$SYSTEM_NAME" || exit 1

# what k3s itself does when it starts
version=$(sed -n 's/^export K3S_DOUBLE_VERSION=//p' "$BIN_DIR/k3s")
C=${GX_K3S_CLUSTER:-$S/k3s/cluster}
if [ "$CMD" = agent ]; then
  node=$(hostname | tr '[:upper:]' '[:lower:]')
  for a in "$@"; do case $a in --node-name=*) node=${a#*=} ;; esac; done
  token=${K3S_TOKEN:-}
  [ -z "$token" ] && [ -n "${K3S_TOKEN_FILE:-}" ] && token=$(cat "$K3S_TOKEN_FILE")
  joined() { mkdir -p "$C/agents"; echo "$version" > "$C/agents/$node"; }
  if [ ! -f "$C/token" ] || [ "${K3S_URL:-}" != "https://$(cat "$C/server"):6443" ]; then
    echo "level=error msg=\"failed to get CA certs: Get \\\"${K3S_URL:-}/cacerts\\\": dial tcp: connect: connection refused\"" >> "$S/k3s/agent.log"
  elif [ "$token" = "$(cat "$C/token")" ] || [ "$token" = "$(sed 's/^.*::server://' "$C/token")" ]; then
    joined
  else
    echo 'level=fatal msg="Error: failed to validate token: token CA hash does not match the Cluster CA certificate hash"' >> "$S/k3s/agent.log"
  fi
  exit 0
fi
echo "$version" > "$S/k3s/running-version"
data=/var/lib/rancher/k3s kc=/etc/rancher/k3s/k3s.yaml kcmode=0600 node=$(hostname | tr '[:upper:]' '[:lower:]')
for a in "$@"; do
  case $a in
    --data-dir=*) data=${a#*=} ;; --write-kubeconfig=*) kc=${a#*=} ;;
    --write-kubeconfig-mode=*) kcmode=${a#*=} ;; --node-name=*) node=${a#*=} ;;
    # K3s >= v1.26.13/v1.27.10/v1.28.6/v1.29.1 (an agent flag, also among the server's): containerd's
    # hosts.toml for each mirrored registry gets no upstream `server`; nothing here pulls images
    --disable-default-registry-endpoint) ;;
  esac
done
inside "$data/server/node-token"; inside "$kc"
echo "$node" > "$S/k3s/node-name"
mkdir -p "$data/server" "$(dirname "$kc")"
if [ ! -f "$data/server/node-token" ]; then
  secret=${K3S_TOKEN:-$(printf %s "$S" | sha256sum | cut -c1-32)}
  printf 'K10%s::server:%s\n' "$(printf ca | sha256sum | cut -c1-64)" "$secret" > "$data/server/node-token"
  chmod 600 "$data/server/node-token"
fi
cat > "$kc" <<KC
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmRvdWJsZQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmNsaWVudAotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==
    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCmRvdWJsZQotLS0tLUVORCBFQyBQUklWQVRFIEtFWS0tLS0tCg==
KC
chmod "$kcmode" "$kc"
# what agents join: the token and the address they reach the server at
ip=127.0.0.1
for a in "$@"; do case $a in --node-ip=*) ip=${a#*=} ;; esac; done
mkdir -p "$C"
cp "$data/server/node-token" "$C/token"
echo "$ip" > "$C/server"
