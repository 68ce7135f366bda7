#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/studio.sh run    install what is missing, build, open Polar Studio on its embedded model
#   scripts/studio.sh test   install what is missing, build, run every test (what CI runs)
#   scripts/studio.sh bench  also install python3-torch, build, run the CPU benchmark (about 10 minutes)
#   scripts/studio.sh deps   only install what is missing
#   scripts/studio.sh build  only build
#
# Which LibTorch (POLAR_TORCH):
#   unset   Debian's (CPU) where no NVIDIA GPU is visible; the pinned PyPI torch (CUDA) where
#           nvidia-smi sees one; Torch_DIR, when set, wins
#   pip     the pinned PyPI torch, in a virtual environment kept in ~/.cache (not in the clone)
#   debian  Debian's libtorch-dev
#   PATH    a LibTorch you name (its folder, or its share/cmake)
#
# `test` builds and runs the whole suite three times: on Debian's LibTorch 1.13, under
# AddressSanitizer + UndefinedBehaviorSanitizer (clang, with the libFuzzer targets run for a
# bounded time), and on the pinned PyPI torch 2.x with CUDA compiled in (on the CPU where there
# is no GPU). POLAR_TEST_STAGES="debian asan torch2" picks stages; POLAR_FUZZ_SECONDS sets the
# time per fuzz target (default 30).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
torch_version=2.11.0 # what the GPU machines carry (CUDA 13): binaries built here run there
cache=${XDG_CACHE_HOME:-$HOME/.cache}/polar-studio
venv=$cache/torch-$torch_version
jobs=$(nproc)

# Everything the build, the tests and the benchmark need, from Debian 12.
packages=(
    cmake g++ make pkg-config ccache
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
    libtorch-dev libopenblas0-pthread
    nlohmann-json3-dev libsentencepiece-dev libcpp-httplib-dev
)
# The sanitizer and fuzzing stage of `test`, the pip torch's environment, the install check's validator.
test_packages=(clang libclang-rt-14-dev python3 python3-venv desktop-file-utils)

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

has_nvidia_gpu() {
    command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'
}

# The pinned PyPI torch in a virtual environment keyed by its version, made once.
pip_torch_prefix() {
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch" >/dev/null 2>&1; then
        echo "installing torch==$torch_version into $venv (once; several GB)" >&2
        mkdir -p "$cache"
        local python=python3
        command -v "$python" >/dev/null || { install_deps python3 python3-venv; }
        "$python" -m venv "$venv" 2>/dev/null || { install_deps python3-venv; rm -rf "$venv"; "$python" -m venv "$venv"; }
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "torch==$torch_version" >&2
    fi
    "$venv/bin/python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null
}

# Prints the CMAKE_PREFIX_PATH entry for the chosen LibTorch (empty: Debian's).
torch_prefix() {
    local choice=${POLAR_TORCH:-}
    if [ -z "$choice" ]; then
        if [ -n "${Torch_DIR:-}" ]; then choice=$Torch_DIR
        elif has_nvidia_gpu; then choice=pip
        else choice=debian
        fi
    fi
    case "$choice" in
    debian) echo "" ;;
    pip) pip_torch_prefix ;;
    *)
        [ -d "$choice" ] || { echo "POLAR_TORCH=$choice: no such folder" >&2; exit 2; }
        echo "$choice"
        ;;
    esac
}

# build DIR PREFIX [cmake args...]
build_in() {
    local dir=$1 prefix=$2
    shift 2
    local args=(-DCMAKE_BUILD_TYPE=Release -DPOLAR_BUILD_GUI=ON)
    command -v ccache >/dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    [ -n "$prefix" ] && args+=("-DCMAKE_PREFIX_PATH=$prefix")
    cmake -S "$root" -B "$dir" "${args[@]}" "$@"
    cmake --build "$dir" -j "$jobs"
}

default_build_dir() {
    local prefix=$1
    if [ -n "${POLAR_BUILD_DIR:-}" ]; then echo "$POLAR_BUILD_DIR"
    elif [ -z "$prefix" ]; then echo "$root/build"
    else echo "$root/build-torch2"
    fi
}

run_ctest() {
    (cd "$1" && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs" "${@:2}")
}

stage() {
    echo
    echo "==== $* ($(date +%H:%M:%S))"
}

run_tests() {
    local stages=${POLAR_TEST_STAGES:-debian asan torch2}
    local started=$SECONDS
    for s in $stages; do
        local t0=$SECONDS
        case "$s" in
        debian)
            stage "1/3 Debian LibTorch 1.13: build and every test"
            build_in "$root/build" ""
            run_ctest "$root/build"
            ;;
        asan)
            stage "2/3 AddressSanitizer + UndefinedBehaviorSanitizer (clang): build, every test, fuzzers"
            CC=clang CXX=clang++ build_in "$root/build-asan" "" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
                -DPOLAR_SANITIZE=ON -DPOLAR_FUZZ=ON
            # LibTorch keeps allocations alive to the end of the process by design: leaks are not checked.
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest "$root/build-asan"
            local secs=${POLAR_FUZZ_SECONDS:-30}
            for f in safetensors_header model_config jsonl_record journal reward_protocol; do
                local work
                work=$(mktemp -d)
                echo "fuzz_$f for ${secs}s from tests/fuzz/corpus/$f"
                ASAN_OPTIONS=detect_leaks=0 "$root/build-asan/bin/fuzz_$f" -max_total_time="$secs" -max_len=65536 \
                    -rss_limit_mb=4096 -print_final_stats=1 "$work" "$root/tests/fuzz/corpus/$f" 2>&1 | grep -E "^Done|stat::number_of_executed_units|ERROR|SUMMARY" || true
                [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz_$f found a crash (see above)"; exit 1; }
                rm -rf "$work"
            done
            ;;
        torch2)
            stage "3/3 PyPI torch $torch_version (CUDA compiled in): build and every test"
            local prefix
            prefix=$(pip_torch_prefix)
            build_in "$root/build-torch2" "$prefix" -DPOLAR_REFERENCE_PYTHON="$venv/bin/python"
            run_ctest "$root/build-torch2"
            ;;
        *)
            echo "unknown stage '$s' (debian, asan, torch2)" >&2
            exit 2
            ;;
        esac
        echo "==== stage $s took $((SECONDS - t0)) s"
    done
    echo "==== all stages passed in $((SECONDS - started)) s"
}

case "${1:-}" in
deps) install_deps "${test_packages[@]}" ;;
build)
    install_deps
    prefix=$(torch_prefix)
    build_in "$(default_build_dir "$prefix")" "$prefix"
    ;;
run)
    install_deps
    prefix=$(torch_prefix)
    dir=$(default_build_dir "$prefix")
    build_in "$dir" "$prefix"
    shift
    exec "$dir/bin/polar-studio" "$@"
    ;;
test)
    install_deps "${test_packages[@]}"
    run_tests
    ;;
bench)
    # The plain-PyTorch reference the benchmark compares against runs on Debian's python3-torch.
    install_deps python3-torch
    build_in "$root/build" ""
    shift
    exec "$root/build/bin/polar-cli" bench --shape cpu --python /usr/bin/python3 "$@"
    ;;
*)
    echo "usage: $0 run|test|bench|deps|build" >&2
    exit 2
    ;;
esac
