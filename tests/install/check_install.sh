#!/usr/bin/env bash
# `cmake --install` gives a tree that works on its own and wherever it is moved:
# the binaries find the tokenizer module and the shipped tokenizer relative to
# themselves, keep the rpath of a LibTorch outside the system's folders, and the
# menu entry, icon and file type are valid for the desktop's tools.
#   check_install.sh BUILD_DIR GUI(ON|OFF)
set -euo pipefail
build=$1
gui=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A prefix with a space, then moved: nothing may depend on either.
cmake --install "$build" --prefix "$work/first place" >/dev/null
mv "$work/first place" "$work/moved"
p=$work/moved
module=$(find "$p" -name libpolar_spm.so)
[ -n "$module" ] || fail "no libpolar_spm.so installed"
case "$module" in "$p"/lib*/polar-studio/libpolar_spm.so) ;; *) fail "module at $module, not lib/polar-studio" ;; esac
bins=(polar-cli)
[ "$gui" = ON ] && bins+=(polar-studio)
for f in "${bins[@]/#/bin/}" share/applications/polar-studio.desktop share/icons/hicolor/scalable/apps/polar-studio.svg \
         share/mime/packages/polar-studio.xml share/polar-studio/tokenizers/internlm2/tokenizer.model \
         share/polar-studio/bench/reference_forward.py; do
    [ -f "$p/$f" ] || fail "$f not installed"
done
for f in "${bins[@]/#/$p/bin/}" "$module"; do
    if ldd "$f" | grep -q "not found"; then
        ldd "$f" | grep "not found" >&2
        fail "$f: libraries not found"
    fi
done

# Only what the installed tree holds: no override, an empty cache and config.
run() { env -u POLAR_SPM_MODULE XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" \
            XDG_DATA_HOME="$work/data" "$@"; }
run "$p/bin/polar-cli" --version | grep -q "LibTorch" || fail "polar-cli --version"
inspect=$(run "$p/bin/polar-cli" inspect 2>&1) || { echo "$inspect" >&2; fail "polar-cli inspect on the demo model"; }
echo "$inspect" | grep -q "(module $(realpath "$module"))" || { echo "$inspect" >&2; fail "the installed module was not the one loaded"; }

# make-random's default tokenizer is the installed one.
run "$p/bin/polar-cli" make-random --shape demo --dtype bf16 "$work/random" >/dev/null 2>&1 || fail "make-random"
cmp -s "$work/random/tokenizer.model" "$p/share/polar-studio/tokenizers/internlm2/tokenizer.model" ||
    fail "make-random did not take the installed tokenizer"
echo '{"prompt": "What is 2 + 2?", "reference": "4", "output": "4"}' >"$work/in.jsonl"
run "$p/bin/polar-cli" score --model "$work/random" "$work/in.jsonl" -o "$work/out.jsonl" 2>/dev/null || fail "score"
grep -q '"reward"' "$work/out.jsonl" || fail "score wrote no reward"

if [ "$gui" = ON ]; then
    run "$p/bin/polar-studio" --version | grep -q "LibTorch" || fail "polar-studio --version"
    run env QT_QPA_PLATFORM=offscreen "$p/bin/polar-studio" --score --screenshot "$work/shot.png" \
        --recovery-file "$work/recovery.json" 2>"$work/gui.log" ||
        { cat "$work/gui.log" >&2; fail "polar-studio did not score the seed example"; }
    [ -s "$work/shot.png" ] || fail "polar-studio wrote no screenshot"
fi

# The menu entry opens the file type the package declares.
type=$(sed -n 's/.*<mime-type type="\([^"]*\)".*/\1/p' "$p/share/mime/packages/polar-studio.xml")
grep -q "^MimeType=.*$type;" "$p/share/applications/polar-studio.desktop" || fail "the .desktop file does not list $type"
if command -v update-mime-database >/dev/null; then
    XDG_DATA_DIRS="$p/share" update-mime-database "$p/share/mime"
    grep -q "^[0-9]*:$type:\*\.polar-project\.jsonl" "$p/share/mime/globs2" || fail "update-mime-database: no glob for $type"
else
    echo "not checked: update-mime-database (shared-mime-info) is not installed"
fi
if command -v desktop-file-validate >/dev/null; then
    # Its hints count too: one said the entry would show twice in the menu.
    said=$(desktop-file-validate "$p/share/applications/polar-studio.desktop" 2>&1) || true
    [ -z "$said" ] || { echo "$said" >&2; fail "desktop-file-validate"; }
else
    echo "not checked: desktop-file-validate (desktop-file-utils) is not installed"
fi
echo "installed tree works: $(cd "$p" && find . -type f -not -path './share/mime/*' | wc -l) files"
