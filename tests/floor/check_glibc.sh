#!/usr/bin/env bash
# check_glibc.sh LIB [MAX]: every GLIBC_ version LIB's dynamic symbols need is
# MAX (default 2.17, the manylinux2014 floor: RHEL/CentOS 7) or older, and it
# needs no shared library outside glibc, and leaves no symbol unbound.
set -euo pipefail
lib=$1 max=${2:-2.17}
versions=$(objdump -T "$lib" | grep -oE '\bGLIBC_[0-9]+(\.[0-9]+)*\b' | sed 's/^GLIBC_//' | sort -uV)
[ -n "$versions" ] || { echo "$lib: objdump -T shows no GLIBC_ version at all" >&2; exit 1; }
newest=$(printf '%s\n' $versions | tail -n1)
if [ "$(printf '%s\n%s\n' "$newest" "$max" | sort -V | tail -n1)" != "$max" ]; then
  echo "FAIL $lib needs GLIBC_$newest (newer than GLIBC_$max):" >&2
  objdump -T "$lib" | sed -nE 's/.*[( ]GLIBC_([0-9.]+)\)?[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)$/\1 \2/p' | sort -u |
    while read -r v s; do
      [ "$(printf '%s\n%s\n' "$v" "$max" | sort -V | tail -n1)" = "$max" ] || echo "  $s@GLIBC_$v"
    done >&2
  exit 1
fi
# A strong undefined symbol without a version binds to no library the .so
# names (e.g. dlsym without -ldl before glibc 2.34): programs then fail to link.
unbound=$(objdump -T "$lib" | awk '$2 != "w" && $0 ~ /\*UND\*/ && $0 !~ /GLIBC_/ {print $NF}' | tr '\n' ' ')
[ -z "$unbound" ] || { echo "FAIL $lib leaves unversioned symbols to no library: $unbound" >&2; exit 1; }
needed=$(objdump -p "$lib" | awk '$1 == "NEEDED" {print $2}' | sort | tr '\n' ' ')
for n in $needed; do
  case $n in libc.so.6 | libpthread.so.0 | libdl.so.2 | libresolv.so.2 | librt.so.1 | libm.so.6 | ld-linux-x86-64.so.2) ;;
  *) echo "FAIL $lib needs $n, which is not part of glibc" >&2; exit 1 ;;
  esac
done
echo "ok   $lib: GLIBC versions $(echo $versions | tr ' ' ',') (newest GLIBC_$newest <= $max); needs $needed"
