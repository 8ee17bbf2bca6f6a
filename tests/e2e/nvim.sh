#!/usr/bin/env bash
# End to end with a real editor: headless Neovim (0.7 or later) and its built-in LSP client,
# set up by editors/nvim, drive `gapmine lsp` on a multi-file catalogue in a temporary folder
# (tests/e2e/nvim_lsp.lua says what is asserted). Exits 0 when every step passed.
#
#   tests/e2e/nvim.sh                  # builds target/debug/gapmine first
#   GAPMINE_BIN=path/to/gapmine tests/e2e/nvim.sh
#
# The whole run is bounded by E2E_TIMEOUT seconds (default 180), so it never hangs CI.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if ! command -v nvim >/dev/null 2>&1; then
    echo "error: nvim is not installed; install Neovim 0.7 or later (apt-get install neovim), then rerun" >&2
    exit 2
fi

bin=${GAPMINE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$repo" && cargo build --quiet -p gapmine-cli --bin gapmine)
    bin=$repo/target/debug/gapmine
fi
if [ ! -x "$bin" ]; then
    echo "error: $bin is not an executable; build it (cargo build -p gapmine-cli) or set GAPMINE_BIN" >&2
    exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/gapmine-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/catalogue"

echo "$(nvim --version | head -n 1), $("$bin" --version 2>/dev/null || echo "$bin")"
status=0
GAPMINE_BIN=$bin GAPMINE_E2E_DIR=$work/catalogue GAPMINE_E2E_REPO=$repo HOME=$work \
    timeout --kill-after=10 "${E2E_TIMEOUT:-180}" \
    nvim --headless -u NONE -i NONE -n \
    -c "lua local ok, e = pcall(dofile, '$repo/tests/e2e/nvim_lsp.lua') if not ok then io.stderr:write(tostring(e) .. '\\n') vim.cmd('cquit 2') end" \
    </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "FAILED: Neovim did not finish within ${E2E_TIMEOUT:-180} s (a request or a wait hung)" >&2
fi
exit "$status"
