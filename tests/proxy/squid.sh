#!/usr/bin/env bash
# squid.sh start DIR SANDBOX_CA | stop DIR : a real squid (Debian's
# squid-openssl) on 127.0.0.1 for the proxy suites, all its files in DIR.
#   port AUTH_PORT: Basic auth (basic_ncsa_auth, user hbys, password in DIR/env)
#   port BUMP_PORT: no auth, ssl_bump with its own CA (DIR/bump-ca.pem), squid
#                   trusting the sandbox through SANDBOX_CA
#   port OPEN_PORT: no auth, tunnels only (a proxy Windows settings name)
# Host names: only ogn./api.teleradyoloji.test, from DIR/hosts (127.0.0.1);
# DNS pinned to 127.0.0.1 where nothing answers, so no lookup leaves the
# machine. start writes DIR/env (the ports, user, passwords) and waits
# until squid answers; access.log lines count what clients asked.
set -euo pipefail
cmd=$1 dir=$2
stop() {
  [ -f "$dir/squid.run.pid" ] || return 0
  pid=$(cat "$dir/squid.run.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/squid.run.pid"
}
if [ "$cmd" = stop ]; then stop; exit 0; fi
ca=$(realpath "$3")
stop
rm -rf "$dir" && mkdir -p "$dir" && dir=$(realpath "$dir")
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
read -r auth_port bump_port open_port <<<"$ports"
user=$(id -un)
[ "$user" = root ] && user=proxy # squid never runs as root
password='Vekil:Gizli#2026' # percent-encoded in proxy URLs
cat >"$dir/env" <<ENV
AUTH_PORT=$auth_port
BUMP_PORT=$bump_port
OPEN_PORT=$open_port
PROXY_USER=hbys
PROXY_PASSWORD='$password'
PROXY_PASSWORD_URL='Vekil%3AGizli%232026'
WRONG_PASSWORD='Yanlis:Vekil#1'
WRONG_PASSWORD_URL='Yanlis%3AVekil%231'
ENV
echo "hbys:$(openssl passwd -apr1 "$password")" >"$dir/htpasswd"
printf '127.0.0.1 ogn.teleradyoloji.test api.teleradyoloji.test\n' >"$dir/hosts"
cp "$ca" "$dir/sandbox-ca.pem"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$dir/bump-ca.key" -out "$dir/bump-ca.pem" \
  -subj "/CN=Hastane Vekil Sunucu Denetim CA/O=Teleradyoloji Test" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
/usr/lib/squid/security_file_certgen -c -s "$dir/ssl_db" -M 4MB >/dev/null
cat >"$dir/squid.conf" <<CONF
http_port 127.0.0.1:$auth_port name=authport
http_port 127.0.0.1:$open_port name=openport
http_port 127.0.0.1:$bump_port name=bumpport ssl-bump tls-cert=$dir/bump-ca.pem tls-key=$dir/bump-ca.key generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program /usr/lib/squid/security_file_certgen -s $dir/ssl_db -M 4MB
sslcrtd_children 2 startup=1 idle=1
tls_outgoing_options cafile=$dir/sandbox-ca.pem
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all
auth_param basic program /usr/lib/squid/basic_ncsa_auth $dir/htpasswd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm teleradyoloji-test
acl authport myportname authport
acl bumpport myportname bumpport
acl openport myportname openport
acl authed proxy_auth REQUIRED
acl testhosts dstdomain .teleradyoloji.test
http_access deny !testhosts
http_access allow authport authed
http_access allow bumpport
http_access allow openport
http_access deny all
hosts_file $dir/hosts
dns_nameservers 127.0.0.1
cache deny all
cache_mem 4 MB
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log squid
coredump_dir $dir
cache_effective_user $user
visible_hostname trl-test-proxy
shutdown_lifetime 1 seconds
netdb_filename none
pinger_enable off
icp_port 0
logfile_rotate 0
CONF
chmod -R a+rX "$dir"
[ "$(id -u)" = 0 ] && chown -R "$user" "$dir"
squid -f "$dir/squid.conf" -N >"$dir/squid.out" 2>&1 &
echo $! >"$dir/squid.run.pid"
# Ready when it answers on both ports (a denied host: 403 at once).
for port in $auth_port $bump_port $open_port; do
  for i in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '' -x "http://127.0.0.1:$port" http://ready.invalid/ || true)
    [ "$code" = 403 ] && break
    kill -0 "$(cat "$dir/squid.run.pid")" 2>/dev/null || { cat "$dir/squid.out" "$dir/cache.log" >&2; exit 1; }
    [ "$i" = 300 ] && { echo "squid.sh: squid does not answer on $port" >&2; cat "$dir/cache.log" >&2; exit 1; }
    sleep 0.1
  done
done
