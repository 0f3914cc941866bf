#!/usr/bin/env bash
# run.sh DIR: the .NET binding's tests under Mono, against the sandbox (TRL_SANDBOX_URL) and
# libteleradyoloji.so on LD_LIBRARY_PATH. DIR holds TestRunner.exe and OpenStudy.exe.
#   1. TestRunner.exe: every test.
#   2. OpenStudy.exe (examples/dotnet) prints a viewer URL: checked, never shown.
#   3. The package's .NET Framework targets (buildTransitive/), driven by xbuild.
#   4. TestRunner.exe --stress (16 threads + a GC.Collect() loop, DESIGN.md pitfall 8), and
#      --stress-log (the same with logging on), each STRESS_RUNS times (default 20), each a
#      new process under a STRESS_TIMEOUT-second watchdog (default 60). A hang prints Mono's
#      managed thread dump (SIGQUIT) and gdb's native stacks, then counts as a failure.
#   5. TestRunner.exe --log-exit: a process leaving logging on still exits.
# Ends with "N passed, M failed"; exits non-zero when anything failed.
set -u
dir=$1
runs=${STRESS_RUNS:-20}
limit=${STRESS_TIMEOUT:-60}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Output is shown scrubbed: no OTAC from a URL ever reaches the test log.
show() { sed -E 's/otac=[^ "<>]+/otac=<secret>/g' "$log"; }

# watch SECONDS CMD...: runs CMD with its output in $log and returns its status; on a hang
# dumps every thread and returns 124.
watch() {
  local secs=$1 pid i
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < secs * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      return
    fi
    sleep 0.1
  done
  echo "HANG: $* still running after ${secs}s (pid $pid)"
  kill -QUIT "$pid" 2>/dev/null # Mono prints its managed thread dump to the process's stdout
  sleep 2
  echo "--- native stacks (gdb) ---"
  gdb -batch -p "$pid" -ex 'set print frame-arguments none' -ex 'thread apply all bt' 2>&1 |
    grep -vE '^\[(New LWP|Thread debugging|Using host)'
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  echo "--- process output, with Mono's thread dump ---"
  show
  return 124
}

# 1. Every test.
watch 600 mono --debug "$dir/TestRunner.exe"
rc=$?
show | grep -v '^runner: '
counts=$(grep -E '^runner: [0-9]+ passed, [0-9]+ failed$' "$log" | grep -oE '[0-9]+')
if [ -n "$counts" ]; then
  passed=$((passed + $(echo "$counts" | sed -n 1p)))
  failed=$((failed + $(echo "$counts" | sed -n 2p)))
fi
if [ $rc -ne 0 ] && [ -z "$counts" ]; then
  echo "FAIL TestRunner.exe exited $rc without its summary"
  failed=$((failed + 1))
fi

# 2. The example.
if watch 60 mono "$dir/OpenStudy.exe" ACC-EXAMPLE 12345678901 &&
  grep -qE '^http://127\.0\.0\.1:[0-9]+/viewer/#/viewpatient\?otac=[A-Za-z0-9%._~-]+$' "$log"; then
  echo "ok   examples/dotnet/OpenStudy prints a viewer URL"
  passed=$((passed + 1))
else
  echo "FAIL examples/dotnet/OpenStudy:"
  show
  failed=$((failed + 1))
fi

# Without the native library the error says where it belongs.
if ! LD_LIBRARY_PATH= watch 60 mono "$dir/OpenStudy.exe" ACC-EXAMPLE &&
  grep -q "DllNotFoundException: the native teleradyoloji library was not found" "$log"; then
  echo "ok   a missing native library is reported with a deployment hint"
  passed=$((passed + 1))
else
  echo "FAIL a missing native library:"
  show
  failed=$((failed + 1))
fi

# 3. The .NET Framework targets: which DLLs a project copies beside its program.
pkg=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$pkg"' EXIT
src=$(dirname "$0")/../Teleradyoloji
mkdir -p "$pkg/build" "$pkg/buildTransitive"
cp "$src/buildPackagesConfig/Teleradyoloji.targets" "$pkg/build/"
cp "$src/buildTransitive/Teleradyoloji.targets" "$pkg/buildTransitive/"
for rid in win-x86 win-x64; do
  mkdir -p "$pkg/runtimes/$rid/native"
  touch "$pkg/runtimes/$rid/native/teleradyoloji.dll" "$pkg/runtimes/$rid/native/teleradyoloji-core.dll"
done
# Each teleradyoloji.dll goes with the teleradyoloji-core.dll it loads from its folder.
both="x64/teleradyoloji-core.dll<-win-x64 x64/teleradyoloji.dll<-win-x64 x86/teleradyoloji-core.dll<-win-x86 x86/teleradyoloji.dll<-win-x86"
targets_case() { # targets_case NAME EXPECTED PROPERTIES...
  local name=$1 expected=$2 got
  shift 2
  got=$(xbuild /nologo /v:minimal "/p:PackageDir=$pkg/" "$@" "$(dirname "$0")/targets.proj" 2>&1 |
    tr '\\' / | sed -nE 's|^[[:space:]]*copy: (.*) <- .*/runtimes/([^/]+)/native/teleradyoloji(-core)?\.dll$|\1<-\2|p' |
    sort | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" = "$expected" ]; then
    echo "ok   targets: $name"
    passed=$((passed + 1))
  else
    echo "FAIL targets: $name: expected [$expected], got [$got]"
    failed=$((failed + 1))
  fi
}
fx=/p:TargetFrameworkIdentifier=.NETFramework
targets_case "AnyCPU .NET Framework gets x86/ and x64/" "$both" $fx /p:PlatformTarget=AnyCPU
targets_case "x86 .NET Framework also gets the x86 DLL beside it" "teleradyoloji-core.dll<-win-x86 teleradyoloji.dll<-win-x86 $both" $fx /p:PlatformTarget=x86
targets_case "x64 .NET Framework also gets the x64 DLL beside it" "teleradyoloji-core.dll<-win-x64 teleradyoloji.dll<-win-x64 $both" $fx /p:PlatformTarget=x64
targets_case "TeleradyolojiNativeArch chooses the DLL beside it" "teleradyoloji-core.dll<-win-x86 teleradyoloji.dll<-win-x86 $both" $fx /p:PlatformTarget=x64 /p:TeleradyolojiNativeArch=x86
targets_case "a RuntimeIdentifier leaves it to NuGet's runtimes/" "" $fx /p:PlatformTarget=x86 /p:RuntimeIdentifier=win7-x86
targets_case ".NET (Core) uses runtimes/ itself" "" /p:TargetFrameworkIdentifier=.NETCoreApp /p:PlatformTarget=x64

# 4. The threads + GC.Collect() hang test, each run in a fresh process, without and with
#    logging on (its handler runs managed code on the library's thread while GC.Collect loops).
for mode in --stress --stress-log; do
  for ((n = 1; n <= runs; n++)); do
    start=$(date +%s%N)
    watch "$limit" mono --debug "$dir/TestRunner.exe" $mode
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    if [ $rc -eq 0 ]; then
      echo "ok   $mode run $n/$runs ($ms ms)"
      passed=$((passed + 1))
    else
      echo "FAIL $mode run $n/$runs (exit $rc, $ms ms)"
      [ $rc -eq 124 ] || show | grep -v '^stress: '
      failed=$((failed + 1))
    fi
  done
done

# 5. Logging left on when Main returns: the process still ends.
if watch 60 mono --debug "$dir/TestRunner.exe" --log-exit && grep -q '^log-exit: returning' "$log"; then
  echo "ok   a process with logging on exits"
  passed=$((passed + 1))
else
  echo "FAIL a process with logging on did not exit:"
  show | tail -20
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
