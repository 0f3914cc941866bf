#!/usr/bin/env bash
# pinned-dns.sh CMD [ARGS...] : runs CMD in a private mount namespace whose
# /etc/resolv.conf names only 127.0.0.1 (where no DNS server answers), so
# that no name lookup of CMD or its children leaves the machine (DESIGN.md
# pitfall 15). Needs root, or unprivileged user namespaces.
set -eu
if [ "${TRL_DNS_PINNED:-}" = 1 ]; then exec "$@"; fi
conf=$(mktemp)
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$conf"
chmod 644 "$conf"
as_root=-r
[ "$(id -u)" = 0 ] && as_root=
TRL_DNS_PINNED=1 exec unshare -m $as_root sh -c 'mount --bind "$0" /etc/resolv.conf && rm -f "$0" && exec "$@"' "$conf" "$@"
