#!/usr/bin/env bash
# Sets up everything and runs restvol's main job: builds the connector and the service in
# release mode, installs them into build/prefix, builds the C examples with CMake through
# find_package(restvol), and runs them with the connector loaded by HDF5 as a plugin.
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
