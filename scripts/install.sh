#!/usr/bin/env bash
# Installs restvol into PREFIX with the layout applications build against:
#   PREFIX/lib/librestvol.so                 the connector (link it, or load it as a plugin)
#   PREFIX/lib/plugin/librestvol.so          HDF5_PLUGIN_PATH=PREFIX/lib/plugin
#   PREFIX/bin/restvol                       the service binary (direct access spawns it)
#   PREFIX/include/restvol.h                 the C API
#   PREFIX/include/rest_vol_public.h         HDF Group REST VOL's header name, for its programs
#   PREFIX/include/restvol.f90               the Fortran module `restvol` (compile it with the
#                                            program; CMake: restvol::fortran)
#   PREFIX/lib/cmake/restvol/                find_package(restvol)
#   PREFIX/lib/pkgconfig/restvol.pc          pkg-config restvol
# usage: scripts/install.sh PREFIX [--from DIR]
#   --from DIR   take librestvol.so and restvol from DIR (e.g. target/debug) instead of building
#                a release build first.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:?usage: scripts/install.sh PREFIX [--from DIR]}
from=""
if [ "${2:-}" = "--from" ]; then from=${3:?--from needs a directory}; fi

if [ -z "$from" ]; then
  (cd "$repo" && cargo build --release --locked)
  from="$repo/target/release"
fi
for f in librestvol.so restvol; do
  [ -e "$from/$f" ] || { echo "install.sh: $from/$f is missing (build first)" >&2; exit 1; }
done

hdf5_root=${HDF5_DIR:-${RESTVOL_DEPS:-$HOME/.cache/restvol/deps}/hdf5}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)

mkdir -p "$prefix"/{bin,include,lib/plugin,lib/cmake/restvol,lib/pkgconfig}
prefix=$(cd "$prefix" && pwd)
install -m 0755 "$from/librestvol.so" "$prefix/lib/librestvol.so"
ln -sf ../librestvol.so "$prefix/lib/plugin/librestvol.so"
install -m 0755 "$from/restvol" "$prefix/bin/restvol"
for f in restvol.h rest_vol_public.h restvol.f90; do
  install -m 0644 "$repo/include/$f" "$prefix/include/$f"
done
sed "s|@HDF5_ROOT@|$hdf5_root|g" "$repo/cmake/restvolConfig.cmake.in" \
  >"$prefix/lib/cmake/restvol/restvolConfig.cmake"
sed "s|@VERSION@|$version|g" "$repo/cmake/restvolConfigVersion.cmake.in" \
  >"$prefix/lib/cmake/restvol/restvolConfigVersion.cmake"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" "$repo/cmake/restvol.pc.in" \
  >"$prefix/lib/pkgconfig/restvol.pc"
echo "restvol $version installed in $prefix (HDF5 from $hdf5_root)"
