#!/usr/bin/env bash
# check_dll.sh OBJDUMP HEADER DLL : the DLL exports exactly the functions the
# header declares, imports only DLLs that ship with Windows (no libgcc_s,
# libwinpthread or other mingw runtime DLL), and carries a version resource.
set -euo pipefail
objdump=$1 header=$2 dll=$3
dump=$("$objdump" -p "$dll")
declared=$(grep -oE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\(' "$header" |
  grep -oE 'trl_[a-z_]+' | sort -u)
exported=$(echo "$dump" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | tail -n +2 |
  grep -oE '\][[:space:]]+[A-Za-z_@0-9]+$' | awk '{print $2}' | sort -u)
if [ "$declared" != "$exported" ]; then
  echo "$dll: exports and header disagree:" >&2
  diff <(echo "$declared") <(echo "$exported") >&2 || true
  exit 1
fi
# DLLs every Windows 10 / Server 2016 has in system32.
allowed='^(kernel32|msvcrt|ws2_32|advapi32|ntdll|user32|winmm|bcrypt|crypt32|secur32|iphlpapi|dnsapi|userenv|shell32|ole32|oleaut32|netapi32|powrprof|mswsock)\.dll$'
bad=0
for imp in $(echo "$dump" | awk '/DLL Name:/ {print tolower($3)}'); do
  if ! [[ $imp =~ $allowed ]]; then
    echo "$dll imports $imp, which does not ship with Windows" >&2
    bad=1
  fi
done
[ $bad = 0 ]
for field in CompanyName ProductName ProductVersion FileVersion; do
  strings -el "$dll" | grep -qx "$field" || { echo "$dll: no $field in its version resource" >&2; exit 1; }
done
echo "$dll: $(echo "$exported" | wc -l) exports match the header; imports: $(echo "$dump" | awk '/DLL Name:/ {printf "%s ", $3}')"
