#!/usr/bin/env bash
# check_abi.sh OLD_HEADER NEW_HEADER LIBRARY : every function, status code and
# log level of the 1.0.0 header is still in the current header with the same
# value (and the same declaration), and the library still exports every function.
set -euo pipefail
old=$1 new=$2 lib=$3 fail=0
defines() { grep -E '^#define TRL_[A-Z_]+[[:space:]]+-?[0-9]+' "$1" | awk '{print $2, $3}'; }
decls() { tr '\n' ' ' < "$1" | grep -oE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\([^)]*\)' |
  sed 's:/\*[^*]*\*/::g' | tr -s ' \t' ' ' | sed 's/ ,/,/g; s/ )/)/g' | grep -oE 'trl_[a-z_]+.*'; }
while read -r name value; do
  now=$(defines "$new" | awk -v n="$name" '$1 == n {print $2}')
  [ "$now" = "$value" ] || { echo "$name was $value in 1.0.0, now '${now:-missing}'" >&2; fail=1; }
done < <(defines "$old")
while read -r d; do
  decls "$new" | grep -qxF "$d" || { echo "1.0.0 declaration changed or gone: $d" >&2; fail=1; }
done < <(decls "$old")
exported=$(nm -D --defined-only "$lib" | awk '{print $3}')
for f in $(decls "$old" | grep -oE '^trl_[a-z_]+'); do
  grep -qx "$f" <<<"$exported" || { echo "$lib no longer exports $f" >&2; fail=1; }
done
[ $fail = 0 ] && echo "ABI 1.0.0 kept: $(defines "$old" | wc -l) values, $(decls "$old" | wc -l) functions"
exit $fail
