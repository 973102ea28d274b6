#!/usr/bin/env bash
# Installs everything restvol needs to build and test, into a cache outside the repository:
#   - Debian bookworm build packages (compilers, cmake, gfortran, libclang for bindgen, ...)
#   - HDF5 1.14.5 from Debian trixie's source package: shared libs, tools, HL, Fortran, and the
#     installed API test programs (h5_api_test, h5_api_test_testhdf5)
#   - the same HDF5, C library only, built thread-safe (HDF5_ENABLE_THREADSAFE) into hdf5-threadsafe
#   - netCDF-C 4.9.3 (ncdump, ncgen) built against that HDF5
#   - a Python virtual environment with h5py, h5pyd and hsds (the interop peers)
#   - s3s-fs 0.14.1, a small S3-compatible server for the storage conformance tests
# Idempotent: every step checks a stamp and is skipped when its output is already there.
# Environment:
#   RESTVOL_DEPS   cache prefix (default ~/.cache/restvol/deps)
#   RESTVOL_JOBS   parallel build jobs (default: number of cores)
set -euo pipefail

PREFIX="${RESTVOL_DEPS:-$HOME/.cache/restvol/deps}"
JOBS="${RESTVOL_JOBS:-$(nproc)}"
HDF5_VERSION=1.14.5
HDF5_TARBALL=hdf5_1.14.5+repack.orig.tar.gz
HDF5_SHA256=71cdb04c151ef4e8a7f88907adfc4f3b75afd44e96fbd55775e1c9d7c4e7c112
NETCDF_VERSION=4.9.3
NETCDF_TARBALL=netcdf_4.9.3.orig.tar.gz
NETCDF_SHA256=990f46d49525d6ab5dc4249f8684c6deeaf54de6fec63a187e9fb382cc0ffdff
PY_PACKAGES=(h5py==3.16.0 h5pyd==1.0.0 hsds==1.0.2)
APT_PACKAGES=(cmake build-essential gfortran zlib1g-dev pkg-config dpkg-dev libclang-dev clang
  python3-venv python3-dev ca-certificates)

SRC="$PREFIX/src"
BUILD="$PREFIX/build"
HDF5_PREFIX="$PREFIX/hdf5"
NETCDF_PREFIX="$PREFIX/netcdf"
VENV="$PREFIX/venv"
T0=$(date +%s)

log() { printf '[install-deps %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
step_time() { log "$1 done in $(($(date +%s) - $2)) s"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

mkdir -p "$SRC" "$BUILD"

# --- 1. Debian build packages ----------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  t=$(date +%s)
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  step_time "Debian packages" "$t"
else
  log "Debian packages: all present"
fi

# --- 2. Source tarballs from Debian trixie (deb-src only; never trixie binaries) --------------
sha_ok() { [ -f "$1" ] && echo "$2  $1" | sha256sum --check --status; }

enable_trixie_sources() {
  local list=/etc/apt/sources.list.d/restvol-trixie-src.sources uri
  [ -f "$list" ] && return 0
  # Use the same archive address as the machine's own bookworm entry.
  uri=$( { grep -rhoE '^(URIs:[[:space:]]*|deb[[:space:]]+)[a-z]+://[^[:space:]]+/debian/?$' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } | head -n1 | awk '{print $NF}')
  [ -n "$uri" ] || { echo "install-deps: no Debian archive entry found in /etc/apt" >&2; exit 1; }
  log "adding deb-src entry for trixie from $uri"
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" | as_root tee "$list" >/dev/null
  as_root apt-get update -qq
}

fetch_source() { # package tarball sha256
  local pkg=$1 tarball=$2 sum=$3
  sha_ok "$SRC/$tarball" "$sum" && return 0
  enable_trixie_sources
  local t; t=$(date +%s)
  log "downloading $pkg source from Debian trixie"
  # netcdf's .dsc answers 404 on the archive, so apt-get exits non-zero; the tarball is what counts.
  (cd "$SRC" && apt-get source --download-only -qq "$pkg/trixie" >/dev/null 2>&1 || true)
  if ! sha_ok "$SRC/$tarball" "$sum"; then
    echo "install-deps: $tarball is missing or its SHA256 is not $sum" >&2
    exit 1
  fi
  step_time "download $pkg" "$t"
}

fetch_source hdf5 "$HDF5_TARBALL" "$HDF5_SHA256"
fetch_source netcdf "$NETCDF_TARBALL" "$NETCDF_SHA256"

# unpack_source name tarball: a fresh source tree in $BUILD/<name>/src.
unpack_source() {
  rm -rf "${BUILD:?}/$1"
  mkdir -p "$BUILD/$1/src"
  tar -xzf "$SRC/$2" -C "$BUILD/$1/src" --strip-components=1
}

# cmake_install name prefix cmake-flags...: configures, builds and installs $BUILD/<name>/src
# into prefix, logging each phase to $BUILD/<name>-{configure,build,install}.log (the log's tail
# is shown on failure).
cmake_install() {
  local name=$1 prefix=$2; shift 2
  local tree="$BUILD/$name"
  cmake -S "$tree/src" -B "$tree/build" -DCMAKE_INSTALL_PREFIX="$prefix" "$@" \
    >"$BUILD/$name-configure.log" 2>&1 || { tail -40 "$BUILD/$name-configure.log"; exit 1; }
  log "$name configured; compiling (log: $BUILD/$name-build.log)"
  cmake --build "$tree/build" -j "$JOBS" >"$BUILD/$name-build.log" 2>&1 \
    || { tail -40 "$BUILD/$name-build.log"; exit 1; }
  cmake --install "$tree/build" >"$BUILD/$name-install.log" 2>&1 \
    || { tail -40 "$BUILD/$name-install.log"; exit 1; }
}

# --- 3. HDF5 ----------------------------------------------------------------------------------
HDF5_FLAGS=(
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON -DBUILD_STATIC_LIBS=OFF
  -DHDF5_BUILD_TOOLS=ON -DHDF5_BUILD_UTILS=ON -DHDF5_BUILD_HL_LIB=ON
  -DHDF5_BUILD_FORTRAN=ON -DHDF5_BUILD_CPP_LIB=OFF -DHDF5_BUILD_JAVA=OFF -DHDF5_BUILD_EXAMPLES=OFF
  -DHDF5_ENABLE_Z_LIB_SUPPORT=ON -DHDF5_ENABLE_SZIP_SUPPORT=OFF -DHDF5_ALLOW_EXTERNAL_SUPPORT=NO
  -DBUILD_TESTING=ON -DHDF5_TEST_API=ON -DHDF5_TEST_API_INSTALL=ON -DHDF5_TEST_SERIAL=ON
  -DHDF5_TEST_PARALLEL=OFF -DHDF5_TEST_SWMR=OFF -DHDF5_TEST_FORTRAN=OFF -DHDF5_TEST_CPP=OFF
  -DHDF5_TEST_JAVA=OFF -DHDF5_TEST_TOOLS=OFF
)
stamp_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }
HDF5_STAMP="$HDF5_VERSION $(stamp_of "${HDF5_FLAGS[@]}")"

if [ "$(cat "$HDF5_PREFIX/.restvol-stamp" 2>/dev/null)" != "$HDF5_STAMP" ]; then
  t=$(date +%s)
  log "building HDF5 $HDF5_VERSION (shared, tools, HL, Fortran, API tests) with $JOBS jobs"
  rm -rf "$HDF5_PREFIX"
  unpack_source hdf5 "$HDF5_TARBALL"
  cmake_install hdf5 "$HDF5_PREFIX" "${HDF5_FLAGS[@]}"
  for exe in h5_api_test h5_api_test_testhdf5 h5dump h5ls h5diff h5copy h5repack h5fc h5hlfc; do
    [ -x "$HDF5_PREFIX/bin/$exe" ] || { echo "install-deps: HDF5 install lacks $exe" >&2; exit 1; }
  done
  # The Fortran tests (tests/fortran_programs.rs) build against these.
  for lib in libhdf5_fortran.so libhdf5_hl_fortran.so; do
    [ -e "$HDF5_PREFIX/lib/$lib" ] || { echo "install-deps: HDF5 install lacks $lib" >&2; exit 1; }
  done
  echo "$HDF5_STAMP" >"$HDF5_PREFIX/.restvol-stamp"
  rm -rf "$BUILD/hdf5"
  step_time "HDF5 build" "$t"
else
  log "HDF5 $HDF5_VERSION: cached at $HDF5_PREFIX"
fi

# --- 3b. HDF5, thread-safe variant --------------------------------------------------------------
# The same tarball again, C library only, with HDF5's global lock (HDF5_ENABLE_THREADSAFE): the
# multithreaded connector test (tests/connector_threads.rs) runs against it with no application
# mutex. HDF5 refuses thread-safety together with HL, Fortran or C++ unless unsupported
# combinations are allowed, so those stay off; so do tools, tests and examples (they are in the
# main build). Same version, so the same soname (libhdf5.so.310) as the main build: librestvol.so,
# linked against the main build, binds to whichever libhdf5 the program loaded first.
HDF5_TS_PREFIX="$PREFIX/hdf5-threadsafe"
HDF5_TS_FLAGS=(
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON -DBUILD_STATIC_LIBS=OFF
  -DHDF5_ENABLE_THREADSAFE=ON -DHDF5_BUILD_TOOLS=OFF -DHDF5_BUILD_UTILS=OFF
  -DHDF5_BUILD_HL_LIB=OFF -DHDF5_BUILD_FORTRAN=OFF -DHDF5_BUILD_CPP_LIB=OFF -DHDF5_BUILD_JAVA=OFF
  -DHDF5_BUILD_EXAMPLES=OFF -DBUILD_TESTING=OFF
  -DHDF5_ENABLE_Z_LIB_SUPPORT=ON -DHDF5_ENABLE_SZIP_SUPPORT=OFF -DHDF5_ALLOW_EXTERNAL_SUPPORT=NO
)
HDF5_TS_STAMP="$HDF5_VERSION $(stamp_of "${HDF5_TS_FLAGS[@]}")"

if [ "$(cat "$HDF5_TS_PREFIX/.restvol-stamp" 2>/dev/null)" != "$HDF5_TS_STAMP" ]; then
  t=$(date +%s)
  log "building thread-safe HDF5 $HDF5_VERSION (shared C library only) with $JOBS jobs"
  rm -rf "$HDF5_TS_PREFIX"
  unpack_source hdf5-threadsafe "$HDF5_TARBALL"
  cmake_install hdf5-threadsafe "$HDF5_TS_PREFIX" "${HDF5_TS_FLAGS[@]}"
  grep -Eq 'Threadsafety: +ON' "$HDF5_TS_PREFIX/lib/libhdf5.settings" \
    || { echo "install-deps: $HDF5_TS_PREFIX is not thread-safe" >&2; exit 1; }
  soname() { objdump -p "$1" | awk '/SONAME/ {print $2}'; }
  [ "$(soname "$HDF5_TS_PREFIX/lib/libhdf5.so")" = "$(soname "$HDF5_PREFIX/lib/libhdf5.so")" ] \
    || { echo "install-deps: thread-safe libhdf5 soname differs from the main build" >&2; exit 1; }
  echo "$HDF5_TS_STAMP" >"$HDF5_TS_PREFIX/.restvol-stamp"
  rm -rf "$BUILD/hdf5-threadsafe"
  step_time "thread-safe HDF5 build" "$t"
else
  log "thread-safe HDF5 $HDF5_VERSION: cached at $HDF5_TS_PREFIX"
fi

# --- 4. netCDF-C ------------------------------------------------------------------------------
NETCDF_FLAGS=(
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_SHARED_LIBS=ON -DNETCDF_ENABLE_HDF5=ON
  -DNETCDF_BUILD_UTILITIES=ON -DNETCDF_ENABLE_DAP=OFF -DNETCDF_ENABLE_BYTERANGE=OFF
  -DNETCDF_ENABLE_NCZARR=OFF -DNETCDF_ENABLE_PLUGINS=OFF -DNETCDF_ENABLE_TESTS=OFF
  -DNETCDF_ENABLE_EXAMPLES=OFF -DNETCDF_ENABLE_DOXYGEN=OFF
)
# Patches applied to the netCDF sources (scripts/patches/netcdf-*.patch; each says why).
NETCDF_PATCHES=("$(cd "$(dirname "$0")" && pwd)"/patches/netcdf-"$NETCDF_VERSION"-*.patch)
NETCDF_STAMP="$NETCDF_VERSION $(stamp_of "${NETCDF_FLAGS[@]}" "$HDF5_STAMP" "$(cat "${NETCDF_PATCHES[@]}")")"
if [ "$(cat "$NETCDF_PREFIX/.restvol-stamp" 2>/dev/null)" != "$NETCDF_STAMP" ]; then
  t=$(date +%s)
  log "building netCDF-C $NETCDF_VERSION against $HDF5_PREFIX"
  rm -rf "$NETCDF_PREFIX"
  unpack_source netcdf "$NETCDF_TARBALL"
  for p in "${NETCDF_PATCHES[@]}"; do
    log "patching netCDF-C: $(basename "$p")"
    patch -d "$BUILD/netcdf/src" -p1 --quiet <"$p"
  done
  rpath="-Wl,-rpath,$HDF5_PREFIX/lib -Wl,-rpath,$NETCDF_PREFIX/lib"
  cmake_install netcdf "$NETCDF_PREFIX" -DHDF5_ROOT="$HDF5_PREFIX" -DCMAKE_PREFIX_PATH="$HDF5_PREFIX" \
    -DCMAKE_EXE_LINKER_FLAGS="$rpath" -DCMAKE_SHARED_LINKER_FLAGS="$rpath" "${NETCDF_FLAGS[@]}"
  "$NETCDF_PREFIX/bin/ncdump" 2>&1 | grep -q 'netcdf library version' \
    || { echo "install-deps: ncdump does not run" >&2; exit 1; }
  echo "$NETCDF_STAMP" >"$NETCDF_PREFIX/.restvol-stamp"
  rm -rf "$BUILD/netcdf"
  step_time "netCDF build" "$t"
else
  log "netCDF-C $NETCDF_VERSION: cached at $NETCDF_PREFIX"
fi

# --- 5. Python peers --------------------------------------------------------------------------
PY_STAMP=$(stamp_of "${PY_PACKAGES[@]}")
if [ "$(cat "$VENV/.restvol-stamp" 2>/dev/null)" != "$PY_STAMP" ]; then
  t=$(date +%s)
  log "creating Python environment with ${PY_PACKAGES[*]}"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
  "$VENV/bin/python" -c 'import h5py, h5pyd, hsds' 
  echo "$PY_STAMP" >"$VENV/.restvol-stamp"
  step_time "Python environment" "$t"
else
  log "Python environment: cached at $VENV"
fi

# --- 6. S3-compatible test server -------------------------------------------------------------
S3S_FS_VERSION=0.14.1
S3S_FS_PREFIX="$PREFIX/s3s-fs"
if [ ! -x "$S3S_FS_PREFIX/bin/s3s-fs" ]; then
  t=$(date +%s)
  log "building s3s-fs $S3S_FS_VERSION with cargo install (log: $BUILD/s3s-fs-install.log)"
  cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --features binary \
    --root "$S3S_FS_PREFIX" -j "$JOBS" >"$BUILD/s3s-fs-install.log" 2>&1 \
    || { tail -40 "$BUILD/s3s-fs-install.log"; exit 1; }
  step_time "s3s-fs build" "$t"
else
  log "s3s-fs $S3S_FS_VERSION: cached at $S3S_FS_PREFIX"
fi

log "all dependencies ready in $(($(date +%s) - T0)) s (prefix $PREFIX)"
