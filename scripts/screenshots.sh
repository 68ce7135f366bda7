#!/usr/bin/env bash
# Regenerates the screenshots in docs/ with the app's --screenshot option under Xvfb.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app=${POLAR_STUDIO:-$root/build/bin/polar-studio}
command -v xvfb-run >/dev/null || { echo "needs xvfb-run (apt-get install xvfb xauth)" >&2; exit 2; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
run() { HOME=$home XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache XDG_DATA_HOME=$home/data \
        XDG_RUNTIME_DIR=$home xvfb-run -a -s "-screen 0 1600x1000x24" "$app" "$@"; }
run --screenshot "$root/docs/main-window.png"
# A small screen: every pane must still be there.
HOME=$home XDG_CONFIG_HOME=$home/config720 XDG_CACHE_HOME=$home/cache XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home \
    xvfb-run -a -s "-screen 0 1280x720x24" "$app" --score --screenshot "$root/docs/main-window-1280x720.png"
run --score --screenshot "$root/docs/main-window-scored.png"
run --score --explain grad --screenshot "$root/docs/token-contributions.png"
run --score --explain curve --screenshot "$root/docs/reward-curve.png"
data=$(mktemp -d)
cp "$root/datasets/preferences.jsonl" "$data/"
run --dataset "$data/preferences.jsonl" --score --screenshot "$root/docs/dataset-window.png"
rm -rf "$data"
echo "wrote docs/main-window.png, main-window-1280x720.png, main-window-scored.png, token-contributions.png, reward-curve.png, dataset-window.png"
