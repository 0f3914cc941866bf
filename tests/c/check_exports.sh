#!/usr/bin/env bash
# check_exports.sh HEADER LIBRARY : the library's dynamic exports must be
# exactly the functions the header declares (no more, no fewer).
set -euo pipefail
header=$1 lib=$2
declared=$(grep -oE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\(' "$header" |
  grep -oE 'trl_[a-z_]+' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWi]$/ {print $3}' | sort -u)
if [ "$declared" != "$exported" ]; then
  echo "header and library disagree:" >&2
  diff <(echo "$declared") <(echo "$exported") >&2 || true
  exit 1
fi
echo "exports match the header: $(echo "$declared" | wc -l) functions"
