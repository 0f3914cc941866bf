#!/usr/bin/env bash
# run.sh [CLIENT...]: the WAN benchmark (make bench-wan). Starts, under
# build/wan/, the sandbox, nginx (TLS 1.2 and TLS 1.3 servers with a throwaway
# CA, server keep-alive KEEPALIVE_S and a short one KEEPALIVE_SHORT_S) and the
# delay proxy (RTT_MS) on 127.0.0.2 (OGN) and 127.0.0.3 (API), then runs
# CLIENT (default build/wan/wan_bench; a command naming a *.exe, i.e. under
# wine64, gets the CA's path as a Windows path) and stops everything it
# started. No root needed: 127.0.0.0/8 is all loopback on Linux, and nothing
# outside build/wan/ is touched; as root, it runs in a network namespace of
# its own for the host-name rows (see below).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export RTT_MS=${RTT_MS:-100}
KEEPALIVE_S=${KEEPALIVE_S:-75}
KEEPALIVE_SHORT_S=${KEEPALIVE_SHORT_S:-5}
export WAN_CLOSED_WAIT_S=${WAN_CLOSED_WAIT_S:-$((KEEPALIVE_SHORT_S + 3))}
NGINX=${NGINX:-/usr/sbin/nginx}
OGN_IP=127.0.0.2 API_IP=127.0.0.3
dir=$root/build/wan
[ $# -gt 0 ] || set -- "$dir/wan_bench"
scripts/need.sh nginx-light "$NGINX"
scripts/need.sh openssl openssl

# Host-name rows: as root, the bench runs in a network namespace of its own
# whose resolv.conf (/etc/netns/NAME/resolv.conf, removed at exit) names the
# delay proxy's DNS server (RTT/2 late), so no lookup leaves the machine.
# WAN_DNS=0, or no root: those rows print n/a.
if [ -z "${WAN_NETNS:-}" ] && [ "${WAN_DNS:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
  ns=trl-wan-$$
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "/etc/netns/$ns"' EXIT
  mkdir -p "/etc/netns/$ns"
  printf 'nameserver 127.0.0.53\noptions attempts:1 timeout:2\n' >"/etc/netns/$ns/resolv.conf"
  ip netns exec "$ns" ip link set lo up
  rc=0
  WAN_NETNS=$ns ip netns exec "$ns" "$root/tests/wan/run.sh" "$@" || rc=$?
  exit $rc
fi

rm -rf "$dir/run"
mkdir -p "$dir/run/tmp"
run=$dir/run
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_line() { # wait_line FILE PATTERN PID: until FILE has a line matching PATTERN
  for _ in $(seq 1 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "run.sh: $(basename "$1" .out) exited:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.05
  done
  echo "run.sh: timed out waiting for $1" >&2
  exit 1
}

# A throwaway CA and a server certificate for both IP addresses (P-256).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=teleradyoloji-bench-wan-CA -keyout "$run/ca.key" -out "$run/ca.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=$OGN_IP \
  -keyout "$run/server.key" -out "$run/server.csr" 2>/dev/null
printf 'subjectAltName=IP:%s,IP:%s,DNS:ogn.wan.test,DNS:api.wan.test\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' \
  $OGN_IP $API_IP >"$run/server.ext"
openssl x509 -req -in "$run/server.csr" -CA "$run/ca.pem" -CAkey "$run/ca.key" -CAcreateserial -days 2 \
  -extfile "$run/server.ext" -out "$run/server.pem" 2>/dev/null

# The sandbox (plain HTTP on 127.0.0.1), behind nginx.
build/teleradyoloji-sandbox --port 0 >"$run/sandbox.out" 2>&1 &
pids+=($!)
wait_line "$run/sandbox.out" '^http://' $!
sandbox=$(head -n1 "$run/sandbox.out")

# nginx: one server per unix socket; TLS 1.2 only (long and short keep-alive)
# and TLS 1.3 only. Session cache and tickets on, as on a typical server.
server_block() { # NAME PROTOCOL KEEPALIVE
  cat <<EOF
    server {
        listen unix:$run/$1.sock ssl;
        ssl_protocols $2;
        keepalive_timeout ${3}s;
        location / { proxy_pass http://sandbox; }
    }
EOF
}
{
  [ "$(id -u)" = 0 ] && echo "user root root;"
  cat <<EOF
worker_processes 1;
daemon off;
pid $run/nginx.pid;
error_log $run/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $run/tmp/body;
    proxy_temp_path $run/tmp/proxy;
    fastcgi_temp_path $run/tmp/fastcgi;
    uwsgi_temp_path $run/tmp/uwsgi;
    scgi_temp_path $run/tmp/scgi;
    ssl_certificate $run/server.pem;
    ssl_certificate_key $run/server.key;
    ssl_session_cache shared:WAN:1m;
    ssl_session_timeout 1h;
    upstream sandbox { server ${sandbox#http://}; keepalive 16; }
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
EOF
  server_block tls12 TLSv1.2 "$KEEPALIVE_S"
  server_block tls12s TLSv1.2 "$KEEPALIVE_SHORT_S"
  server_block tls13 TLSv1.3 "$KEEPALIVE_S"
  echo "}"
} >"$run/nginx.conf"
"$NGINX" -p "$run" -c "$run/nginx.conf" -e "$run/nginx-error.log" >"$run/nginx.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -S "$run/tls13.sock" ] && break; sleep 0.05; done
[ -S "$run/tls13.sock" ] || { echo "run.sh: nginx did not start:" >&2; cat "$run/nginx.out" "$run/nginx-error.log" >&2; exit 1; }

# The delay proxy: the client's view of the two hosts, per server.
maps=()
for s in tls12:12 tls12s:12s tls13:13; do
  maps+=("ogn${s#*:}=$OGN_IP:0=unix:$run/${s%:*}.sock" "api${s#*:}=$API_IP:0=unix:$run/${s%:*}.sock")
done
dns=()
[ -n "${WAN_NETNS:-}" ] && dns=(-dns 127.0.0.53:53 -dnsnames ogn.wan.test=$OGN_IP,api.wan.test=$API_IP)
"$dir/delayproxy" -rtt "${RTT_MS}ms" -ctl 127.0.0.1:0 "${dns[@]}" "${maps[@]}" >"$run/proxy.out" 2>"$run/proxy.err" &
pids+=($!)
wait_line "$run/proxy.out" '^ready' $!
addr() { awk -v n="$1" '$1 == n {print $2}' "$run/proxy.out"; }
export WAN_RTT_MS=$RTT_MS WAN_CTL=$(addr ctl) WAN_VIEWER=$sandbox/viewer/
export WAN_TLS12="https://$(addr ogn12) https://$(addr api12)"
export WAN_TLS12_SHORT="https://$(addr ogn12s) https://$(addr api12s)"
export WAN_TLS13="https://$(addr ogn13) https://$(addr api13)"
if [ -n "${WAN_NETNS:-}" ]; then
  export WAN_TLS12_DNS="https://ogn.wan.test:$(addr ogn12 | cut -d: -f2) https://api.wan.test:$(addr api12 | cut -d: -f2)"
fi
export WAN_CA_FILE=$run/ca.pem
case "$*" in *.exe*) WAN_CA_FILE="Z:${WAN_CA_FILE//\//\\}" ;; esac

echo "bench-wan: RTT ${RTT_MS} ms; nginx keep-alive ${KEEPALIVE_S} s (short server: ${KEEPALIVE_SHORT_S} s); OGN on $OGN_IP, API on $API_IP"
[ -n "${WAN_NETNS:-}" ] && echo "bench-wan: in network namespace $WAN_NETNS; ogn.wan.test and api.wan.test from a DNS server RTT/2 away"
echo "bench-wan: about 40 s (the 35 s waits overlap the other rows); client: $*"
t0=$(date +%s)
"$@"
echo "bench-wan: done in $(($(date +%s) - t0)) s"
