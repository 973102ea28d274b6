#!/usr/bin/env bash
# Sets up everything and runs restvol's main job: builds the connector and the service in
# release mode, installs them into build/prefix, builds the C examples with CMake through
# find_package(restvol), runs a C program that writes and reads a 3-D chunked dataset through
# direct access (the connector starts a local restvol service; the data lands as a sharded
# HSDS schema-v2 store in build/main-job-store), then shows the store with h5dump and h5ls.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
export HDF5_DIR=${HDF5_DIR:-${RESTVOL_DEPS:-$HOME/.cache/restvol/deps}/hdf5}
prefix="$repo/build/prefix"

echo "== building and installing restvol into $prefix"
bash scripts/install.sh "$prefix"

echo "== building the C examples with CMake (find_package(restvol))"
cmake -S c_examples -B build/examples -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build/examples >/dev/null

echo "== connector_info: what HDF5 says about the REST connector"
HDF5_PLUGIN_PATH="$prefix/lib/plugin" HDF5_VOL_CONNECTOR=REST build/examples/connector_info

echo "== rest_vol_api: the REST VOL C API (H5rest_init, H5Pset_fapl_rest_vol, H5rest_term)"
build/examples/rest_vol_api

store="$repo/build/main-job-store"
rm -rf "$store" && mkdir -p "$store"
export HDF5_PLUGIN_PATH="$prefix/lib/plugin" HDF5_VOL_CONNECTOR=REST ROOT_DIR="$store" BUCKET_NAME=main-job
unset HSDS_ENDPOINT HS_ENDPOINT

echo "== write_read_3d through direct access (store: $store)"
time build/examples/write_read_3d /restvol-examples/weather.h5

echo "== the store on disk: one JSON object per group/dataset, one object per chunk"
(cd "$store/main-job" && find . -type f | sort | sed 's/^/   /' | head -12 && echo "   ... $(find . -type f | wc -l) objects")

echo "== h5dump -H --vol-name=REST /restvol-examples/weather.h5"
"$HDF5_DIR/bin/h5dump" -H --vol-name=REST /restvol-examples/weather.h5

echo "== h5ls -r --vol-name=REST /restvol-examples/weather.h5"
"$HDF5_DIR/bin/h5ls" -r --vol-name=REST /restvol-examples/weather.h5
