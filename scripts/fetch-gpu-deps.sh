#!/usr/bin/env bash
# Unpacks the Debian packages the GPU machine lacks (sentencepiece, nlohmann-json,
# cpp-httplib for polar-cli serve and --server)
# into .gpu-deps/root, which the device call carries. Run once, here.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/.gpu-deps
mkdir -p "$dir/debs" "$dir/root"
cd "$dir/debs"
apt-get download libsentencepiece-dev libsentencepiece0 nlohmann-json3-dev libcpp-httplib-dev libcpp-httplib0.11 libbrotli1
for f in *.deb; do dpkg -x "$f" ../root; done
echo "unpacked into $dir/root"
