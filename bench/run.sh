#!/usr/bin/env bash
# Benchmark harness (not part of the timed tests): runs bench/h5bench.c's workloads in the
# same session against
#   native     the native HDF5 connector writing a local .h5 file (page cache)
#   direct     restvol in direct access (the connector starts a local service)
#   serve      restvol's connector against `restvol serve` over TCP on 127.0.0.1
#   hsds       restvol's connector against HSDS 1.0.2 from PyPI (same machine, POSIX storage,
#              one DN: with two, HSDS 1.0.2 answered 500 to 64 MiB slab writes on this machine)
# and prints a Markdown table with ratios against native and HSDS.
# usage: bench/run.sh [NZ [WORKLOAD...]]   (NZ planes of 1024x1024 float32; 256 = 1 GiB, the
#        default; all of h5bench's workloads and h5pyd's throughput unless workloads are named)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
deps=${RESTVOL_DEPS:-$HOME/.cache/restvol/deps}
hdf5=${HDF5_DIR:-$deps/hdf5}
nz=${1:-256}
shift $(( $# > 0 ? 1 : 0 ))
workloads=("$@")
work=$(mktemp -d /tmp/restvol-bench.XXXXXX)
# Servers started below record their process-group ids here (the runs happen in a pipeline,
# i.e. a subshell, so a shell array would not reach this trap).
pidfile="$work/pids"
cleanup() {
  for pid in $(cat "$pidfile" 2>/dev/null); do kill -INT -- "-$pid" 2>/dev/null || true; done
  sleep 2
  for pid in $(cat "$pidfile" 2>/dev/null); do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -rf "$work" 2>/dev/null || { sleep 2; rm -rf "$work" 2>/dev/null || true; }
}
trap cleanup EXIT

(cd "$repo" && cargo build --release --locked >/dev/null 2>&1)
mkdir -p "$work/plugin"
cp "$repo/target/release/librestvol.so" "$work/plugin/"
cc -O2 "$repo/bench/h5bench.c" -o "$work/h5bench" -I"$hdf5/include" -L"$hdf5/lib" \
  -Wl,-rpath,"$hdf5/lib" -lhdf5

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run() { # label, env..., -- file
  local label=$1; shift
  echo "== $label" >&2
  env "$@" "$work/h5bench" "$work/$label-file" "$nz" | sed "s/^/$label /"
}

unset HSDS_ENDPOINT HS_ENDPOINT
results="$work/results.txt"
{
  "$work/h5bench" "$work/native.h5" "$nz" "${workloads[@]}" | sed 's/^/native /'
  mkdir -p "$work/direct-store"
  env HDF5_PLUGIN_PATH="$work/plugin" HDF5_VOL_CONNECTOR=REST RESTVOL_BIN="$repo/target/release/restvol" \
    ROOT_DIR="$work/direct-store" BUCKET_NAME=bench "$work/h5bench" /bench/direct.h5 "$nz" "${workloads[@]}" | sed 's/^/direct /'

  port=$(free_port)
  mkdir -p "$work/serve-store"
  setsid "$repo/target/release/restvol" serve --host 127.0.0.1 --port "$port" --root_dir "$work/serve-store" \
    --bucket_name bench --hs_username bench --hs_password bench --auto_folders >"$work/serve.log" 2>&1 &
  echo $! >>"$pidfile"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/about" >/dev/null && break; sleep 0.1; done
  env HDF5_PLUGIN_PATH="$work/plugin" HDF5_VOL_CONNECTOR=REST HSDS_ENDPOINT="http://127.0.0.1:$port" \
    HSDS_USERNAME=bench HSDS_PASSWORD=bench "$work/h5bench" /bench/serve.h5 "$nz" "${workloads[@]}" | sed 's/^/serve /'
  if [ ${#workloads[@]} -eq 0 ]; then
    "$deps/venv/bin/python" "$repo/bench/h5pyd_throughput.py" "http://127.0.0.1:$port" bench bench \
      /bench/h5pyd.h5 "$((nz))" | sed 's/^/serve /'
  fi

  port=$(free_port)
  mkdir -p "$work/hsds-store/hsdstest"
  cat >"$work/sitecustomize.py" <<'PY'
import aiohttp.web as _w
_orig = _w.run_app
def _run_app(app, *a, **kw):
    if not any(kw.get(k) for k in ("host", "sock", "path")):
        kw["host"] = "127.0.0.1"
    return _orig(app, *a, **kw)
_w.run_app = _run_app
PY
  PYTHONPATH="$work" setsid "$deps/venv/bin/hsds" --root_dir "$work/hsds-store" --bucket_name hsdstest \
    --hs_username bench --hs_password bench --host 127.0.0.1 --port "$port" --count 1 \
    --logfile "$work/hsds.log" >"$work/hsds.out" 2>&1 &
  echo $! >>"$pidfile"
  for _ in $(seq 300); do
    curl -sf -u bench:bench "http://127.0.0.1:$port/about" | grep -q READY && break; sleep 0.2
  done
  for _ in $(seq 50); do
    code=$(curl -s -o "$work/folder.out" -w '%{http_code}' -u bench:bench -X PUT \
      -H 'Content-Type: application/json' -d '{"folder": true}' "http://127.0.0.1:$port/?domain=/bench")
    [ "$code" = 201 ] || [ "$code" = 409 ] && break
    sleep 0.3
  done
  [ "$code" = 201 ] || [ "$code" = 409 ] || { echo "HSDS refused the folder: $code $(cat "$work/folder.out")" >&2; exit 1; }
  env HDF5_PLUGIN_PATH="$work/plugin" HDF5_VOL_CONNECTOR=REST HSDS_ENDPOINT="http://127.0.0.1:$port" \
    HSDS_USERNAME=bench HSDS_PASSWORD=bench "$work/h5bench" /bench/hsds.h5 "$nz" "${workloads[@]}" | sed 's/^/hsds /'
  if [ ${#workloads[@]} -eq 0 ]; then
    "$deps/venv/bin/python" "$repo/bench/h5pyd_throughput.py" "http://127.0.0.1:$port" bench bench \
      /bench/h5pyd.h5 "$((nz))" | sed 's/^/hsds /'
  fi
} | tee "$results" >&2

python3 - "$results" "$nz" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    setup, workload, seconds, figure, unit = line.split()
    rows.setdefault(workload, {})[setup] = (float(seconds), float(figure), unit)
setups = ["native", "direct", "serve", "hsds"]
print(f"NZ = {sys.argv[2]} planes ({int(sys.argv[2]) * 4} MiB dataset)\n")
print("| workload | " + " | ".join(setups) + " | direct vs native | direct vs HSDS |")
print("|---|" + "---|" * (len(setups) + 2))
for workload, by in rows.items():
    cells = [f"{by[s][1]:g} {by[s][2]}" if s in by else "-" for s in setups]
    unit = next(iter(by.values()))[2]
    lower_is_better = unit.startswith("ms")
    def ratio(a, b):
        if a not in by or b not in by: return "-"
        x, y = by[a][1], by[b][1]
        return f"{(y / x if lower_is_better else x / y):.2f}x"
    vs_hsds = ratio('direct', 'hsds') if 'direct' in by else ratio('serve', 'hsds') + " (serve)"
    print(f"| {workload} | " + " | ".join(cells) + f" | {ratio('direct','native')} | {vs_hsds} |")
PY
