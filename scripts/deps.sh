#!/bin/sh
# Install the Debian 12 packages that libkapstats' build, tests and demo
# need, only those that are missing.  Run as root (or with sudo available).
set -eu
PKGS="make gcc libc6-dev pkg-config binutils libgsl-dev libcsv-dev libhdf5-dev \
libcunit1-dev libdeflate-dev zlib1g-dev hdf5-tools libjansson-dev python3 python3-numpy python3-pytest \
python3-scipy python3-h5py python3-pandas python3-statsmodels python3-pip \
python3-setuptools python3-venv python3-jsonschema librsvg2-bin \
libxml2-utils valgrind clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "deps: all Debian packages present"
    exit 0
fi
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
