#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/studio.sh run    install what is missing, build, open Polar Studio on its embedded model
#   scripts/studio.sh test   install what is missing, build, run every test
#   scripts/studio.sh bench  also install python3-torch, build, run the CPU benchmark (about 10 minutes)
#   scripts/studio.sh deps   only install the Debian packages
#   scripts/studio.sh build  only build (build/, Release)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${POLAR_BUILD_DIR:-$root/build}

# Everything the build, the tests and the benchmark need, from Debian 12.
packages=(
    cmake g++ make pkg-config
    qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
    libtorch-dev libopenblas0-pthread
    nlohmann-json3-dev libsentencepiece-dev
)

install_deps() {
    local missing=()
    for p in "${packages[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build_all() {
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPOLAR_BUILD_GUI=ON
    cmake --build "$build" -j "$(nproc)"
}

case "${1:-}" in
deps) install_deps ;;
build) build_all ;;
run)
    install_deps
    build_all
    shift
    exec "$build/bin/polar-studio" "$@"
    ;;
test)
    install_deps
    build_all
    cd "$build"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$(nproc)"
    ;;
bench)
    # The plain-PyTorch reference the benchmark compares against runs on Debian's python3-torch.
    install_deps python3-torch
    build_all
    shift
    exec "$build/bin/polar-cli" bench --shape cpu --python /usr/bin/python3 "$@"
    ;;
*)
    echo "usage: $0 run|test|bench|deps|build" >&2
    exit 2
    ;;
esac
