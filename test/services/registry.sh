#!/usr/bin/env bash
# Real OCI registry (Debian's docker-registry, distribution 2.8) for the tests, loopback only:
#   127.0.0.1:55000  open (no auth)
#   127.0.0.1:55001  basic auth from an htpasswd file (user gx, password gx-registry-secret)
#   127.0.0.1:55002  HTTPS with a certificate from a test CA made here (ca.pem)
#   127.0.0.1:55003  bearer token auth: the realm is http://127.0.0.1:55013/token, a token server the
#                    test runs itself, signing with token-key.pem (the registry trusts token.pem)
# Each instance has its own config and storage under /tmp/gx-test/registry and runs as a plain
# background process (no systemd here), its pid in a file so `stop` ends exactly that process.
set -euo pipefail

BASE=/tmp/gx-test/registry
BIN=/usr/bin/docker-registry
USER_NAME=gx
PASSWORD=gx-registry-secret

ensure_installed() {
  if [ ! -x "$BIN" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >&2
  fi
  # the package starts its own instance on :5000 through systemd when systemd exists; ours are separate
  command -v curl >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >&2
  command -v openssl >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssl >&2
}

bcrypt() {
  # docker-registry accepts only bcrypt entries in htpasswd and checks one on EVERY request, so the
  # cost is the minimum (4): at the default 12 each request costs ~250 ms on a small machine
  if command -v htpasswd >/dev/null 2>&1; then
    htpasswd -nbB -C 4 "$USER_NAME" "$PASSWORD" | head -n1 | cut -d: -f2
  elif python3 -c 'import crypt' 2>/dev/null; then
    python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' "$PASSWORD"
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q apache2-utils >&2
    htpasswd -nbB -C 4 "$USER_NAME" "$PASSWORD" | head -n1 | cut -d: -f2
  fi
}

make_certs() {
  local dir=$BASE/tls
  mkdir -p "$dir"
  [ -s "$dir/server.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gx test CA" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server-key.pem" -out "$dir/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 3650 \
    -extfile "$dir/ext.cnf" -out "$dir/server.pem" >/dev/null 2>&1
}

make_token_key() {
  local dir=$BASE/token
  mkdir -p "$dir"
  [ -s "$dir/token.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gx test token issuer" \
    -keyout "$dir/token-key.pem" -out "$dir/token.pem" >/dev/null 2>&1
}

write_config() { # name port auth(0|1|tls|token)
  local dir=$BASE/$1
  mkdir -p "$dir/storage"
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: info"
    echo "  accesslog:"
    echo "    disabled: false"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/storage"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: 127.0.0.1:$2"
    if [ "$3" = tls ]; then
      make_certs
      echo "  tls:"
      echo "    certificate: $BASE/tls/server.pem"
      echo "    key: $BASE/tls/server-key.pem"
    fi
    if [ "$3" = token ]; then
      make_token_key
      echo "auth:"
      echo "  token:"
      echo "    realm: http://127.0.0.1:55013/token"
      echo "    service: gx-test-registry"
      echo "    issuer: gx-test-issuer"
      echo "    rootcertbundle: $BASE/token/token.pem"
    fi
    if [ "$3" = 1 ]; then
      grep -q '^[^:]*:\$2[aby]\$04\$' "$dir/htpasswd" 2>/dev/null || echo "$USER_NAME:$(bcrypt)" >"$dir/htpasswd"
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: gx-test"
      echo "    path: $dir/htpasswd"
    fi
  } >"$dir/config.yml"
}

pid_of() {
  local f=$BASE/$1/pid
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" || true)
  [ "$code" = 400 ] && code=$(curl -s --cacert "$BASE/tls/ca.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$1/v2/" || true)
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start_one() { # name port auth
  write_config "$1" "$2" "$3"
  if ! pid_of "$1" >/dev/null; then
    setsid "$BIN" serve "$BASE/$1/config.yml" >>"$BASE/$1/registry.log" 2>&1 </dev/null &
    echo $! >"$BASE/$1/pid"
  fi
  for _ in $(seq 1 100); do
    if ready "$2"; then return 0; fi
    if ! pid_of "$1" >/dev/null; then break; fi
    sleep 0.1
  done
  echo "docker-registry ($1) did not become ready on 127.0.0.1:$2; see $BASE/$1/registry.log" >&2
  tail -n 20 "$BASE/$1/registry.log" >&2 || true
  return 1
}

stop_one() {
  local pid
  if pid=$(pid_of "$1"); then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$BASE/$1/pid"
}

start() {
  ensure_installed
  mkdir -p "$BASE"
  start_one open 55000 0
  start_one auth 55001 1
  start_one tls 55002 tls
  start_one token 55003 token
  echo "GX_TEST_REGISTRY=127.0.0.1:55000"
  echo "GX_TEST_REGISTRY_AUTH=127.0.0.1:55001"
  echo "GX_TEST_REGISTRY_USER=$USER_NAME"
  echo "GX_TEST_REGISTRY_PASSWORD=$PASSWORD"
  echo "GX_TEST_REGISTRY_TLS=127.0.0.1:55002"
  echo "GX_TEST_REGISTRY_CA=$BASE/tls/ca.pem"
  echo "GX_TEST_REGISTRY_TOKEN=127.0.0.1:55003"
  echo "GX_TEST_REGISTRY_TOKEN_REALM_PORT=55013"
  echo "GX_TEST_REGISTRY_TOKEN_KEY=$BASE/token/token-key.pem"
  echo "GX_TEST_REGISTRY_TOKEN_CERT=$BASE/token/token.pem"
}

stop() {
  stop_one open
  stop_one auth
  stop_one tls
  stop_one token
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
