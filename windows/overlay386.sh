#!/usr/bin/env bash
# overlay386.sh DIR : writes DIR/overlay.json, a `go build -overlay` that keeps
# Go's 32 MiB FIPS 140-3 entropy scratch buffer out of the x86 core DLL's .bss.
#
# Go 1.26's crypto/internal/fips140/drbg declares `var memory
# entropy.ScratchBuffer` (32 MiB) in the BSS, used only in FIPS 140-3 mode.
# In a 64-bit process that costs nothing; in a 32-bit Windows process it is
# 32 MiB of the 2 GiB address space (and of the commit charge) taken at load,
# which a large 32-bit Delphi HIS program may not have. The overlay has each
# seed allocate its own buffer on the heap (freed after), so only a process
# that turns FIPS mode on (GODEBUG=fips140=on) pays, and only while seeding. The file is patched from the
# toolchain's own copy; when a Go release changes those lines the patch no
# longer applies and the build stops here, saying so.
set -euo pipefail
dir=$1
src=$(go env GOROOT)/src/crypto/internal/fips140/drbg/entropy_fips140.go
mkdir -p "$dir"
out=$dir/drbg_entropy_fips140.go
[ -f "$src" ] || { echo '{"Replace":{}}' >"$dir/overlay.json"; exit 0; } # an older Go: no such buffer
sed -e 's/^var memory entropy\.ScratchBuffer$/\/\/ teleradyoloji (windows\/overlay386.sh): no BSS buffer; each seed allocates its own./' \
    -e 's/entropy\.Seed(&memory)/entropy.Seed(new(entropy.ScratchBuffer))/' "$src" >"$out"
if grep -q 'ScratchBuffer$' "$out" || grep -q 'Seed(&memory)' "$out" || ! grep -q 'Seed(new(entropy.ScratchBuffer))' "$out"; then
  echo "overlay386.sh: $src changed in this Go release; update windows/overlay386.sh" >&2
  exit 1
fi
printf '{"Replace":{"%s":"%s"}}\n' "$src" "$(cd "$dir" && pwd)/drbg_entropy_fips140.go" >"$dir/overlay.json"
