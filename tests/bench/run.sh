#!/usr/bin/env bash
# run.sh: the benchmarks of the core issue, against ONE sandbox process, in
# one run. Rounds interleave the baseline and the library so that machine
# noise hits both alike; medians are compared.
#   baseline  a bare fasthttp POST round trip to postOTAC (Go testing.B)
#   library   warm trl_viewer_url from C (token cached: one postOTAC round trip)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-7} N=${N:-3000}
scripts/need.sh bc bc
mkdir -p build
go test -c -o build/core.test ./core
gcc -O2 -std=c11 -Iinclude -pthread -o build/bench_abi tests/bench/bench_abi.c \
  -Lbuild -lteleradyoloji -Wl,-rpath,"$PWD/build"

bench() {
  build/bench_abi tokens 10000
  base=() lib=()
  for r in $(seq "$ROUNDS"); do
    b=$(build/core.test -test.run '^$' -test.bench '^BenchmarkBareFasthttpPOST$' \
        -test.benchtime "${N}x" | awk '/^BenchmarkBare/ {print $3/1000}')
    l=$(build/bench_abi warm "$N")
    base+=("$b") lib+=("$l")
    printf 'round %d: bare fasthttp POST %7.2f us   trl_viewer_url warm %7.2f us   ratio %.3f\n' \
      "$r" "$b" "$l" "$(echo "$l / $b" | bc -l)"
  done
  mb=$(printf '%s\n' "${base[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  ml=$(printf '%s\n' "${lib[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf 'median: bare fasthttp POST %.2f us, warm trl_viewer_url %.2f us: ratio %.3f (target <= 1.1)\n' \
    "$mb" "$ml" "$(echo "$ml / $mb" | bc -l)"
  printf 'trl_build_viewer_url from C: %s us/call (target < 2)\n' "$(build/bench_abi build 1000000)"
  printf 'trl_viewer_url, 8 threads on one client: %s calls/s\n' "$(build/bench_abi threads 8 2000)"
}
export -f bench
export ROUNDS N
scripts/with-sandbox.sh bash -c bench
