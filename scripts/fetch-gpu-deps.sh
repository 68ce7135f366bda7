#!/usr/bin/env bash
# Unpacks the Debian packages the GPU machine lacks (sentencepiece, nlohmann-json,
# cpp-httplib for polar-cli serve and --server, and brotli, which it links)
# into .gpu-deps/root, which the device call carries; OpenSSL and zlib, which
# a host usually has, into .gpu-deps/fallback (gpu-check.sh uses them only
# where the host lacks them). Run once, here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/.gpu-deps
mkdir -p "$dir/debs" "$dir/root"
cd "$dir/debs"
rm -f ./*.deb
apt-get download libsentencepiece-dev libsentencepiece0 nlohmann-json3-dev libcpp-httplib-dev libcpp-httplib0.11 libbrotli1
for f in *.deb; do dpkg -x "$f" ../root; done
mkdir -p ../fallback-debs ../fallback
cd ../fallback-debs
rm -f ./*.deb
apt-get download libssl3 zlib1g
for f in *.deb; do dpkg -x "$f" ../fallback; done
echo "unpacked into $dir/root"
