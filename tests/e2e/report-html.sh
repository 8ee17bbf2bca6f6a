#!/usr/bin/env bash
# Renders the HTML report of the shipped sample history in headless Chromium and checks the page
# the browser built: every ranked gap is there with its title, the SVG charts are SVG elements of
# the document (bars, forecasts, the pipeline's stations), the page prints to PDF, and loading it
# made no request beyond the file itself (the page is self-contained).
#
# Usage: bash tests/e2e/report-html.sh   (CI runs it: .ci/run installs `chromium` from Debian)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "error: chromium is not installed; install it (apt-get install chromium) or run .ci/run, which does" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

cargo build -q -p gapmine-cli
gapmine=target/debug/gapmine
args=(report catalogues/samples/escapes.jsonl --catalogue catalogues/starter --as-of 2026-11-01)
"$gapmine" "${args[@]}" --format html -o "$work/report.html"
"$gapmine" "${args[@]}" --format json -o "$work/report.json"

# The file itself: nothing that runs or fetches.
for pattern in '<script' '<link' 'src=' 'url(' '@import' '<iframe' '<object' '<embed'; do
    if grep -qiF -- "$pattern" "$work/report.html"; then
        fail "the HTML contains \`$pattern\`"
    fi
done

chrome() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --user-data-dir="$(mktemp -d -p "$work")" "$@" "file://$work/report.html" 2>>"$work/chromium.log"
}
chrome --log-net-log="$work/net.json" --dump-dom >"$work/dom.html"
chrome --print-to-pdf="$work/report.pdf" --no-pdf-header-footer >/dev/null
chrome --window-size=1100,1600 --screenshot="$work/report.png" >/dev/null

# The rendered document: the gaps of the JSON report (the ranking's, indented 8 spaces), each in
# its section with its title.
[ -s "$work/dom.html" ] || fail "chromium produced no DOM (see its log below)"
gaps=0
while IFS= read -r id; do
    gaps=$((gaps + 1))
    grep -qF "<li class=\"gap\" id=\"gap-$id\">" "$work/dom.html" || fail "gap $id has no section in the rendered page"
done < <(grep '^        "failure_mode": ' "$work/report.json" | sed 's/.*"failure_mode": "\(.*\)",/\1/')
[ "$gaps" -gt 0 ] || fail "the sample history's report ranks no gap"
while IFS= read -r title; do
    # The DOM serialises `&`, `<` and `>` as entities.
    escaped=$(printf '%s' "$title" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
    grep -qF -- "$escaped" "$work/dom.html" || fail "the title \"$title\" is not in the rendered page"
done < <(grep -A1 '^        "failure_mode": ' "$work/report.json" | sed -n 's/^        "title": "\(.*\)",$/\1/p')

# The charts: SVG elements the browser parsed, one trend a gap and the pipeline.
svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
[ "$svgs" -ge $((gaps + 1)) ] || fail "$svgs SVG charts rendered, expected one a gap ($gaps) and the pipeline"
bars=$(grep -o '<rect class="bar"' "$work/dom.html" | wc -l)
[ "$bars" -gt 0 ] || fail "no trend bar was rendered"
forecasts=$(grep -o '<rect class="fc"' "$work/dom.html" | wc -l)
[ "$forecasts" -eq "$gaps" ] || fail "$forecasts forecast bars rendered for $gaps gaps"
stations=$(grep -o '<circle class="station' "$work/dom.html" | wc -l)
controls=$(grep -c '^control ' catalogues/starter/controls.kdl)
[ "$stations" -eq "$controls" ] || fail "$stations pipeline stations rendered for $controls controls"
grep -qF 'id="unclassified"' "$work/dom.html" || fail "the unclassified records are not in the rendered page"

# Printing works and gives pages; the screenshot is an image.
[ -s "$work/report.pdf" ] && head -c 5 "$work/report.pdf" | grep -q '%PDF-' || fail "printing to PDF failed"
pages=$(grep -aoE '/Type */Page([^s]|$)' "$work/report.pdf" | wc -l)
[ "$pages" -gt 1 ] || fail "the PDF has $pages pages"
[ -s "$work/report.png" ] || fail "no screenshot"

# No request left the file: the net log's URLs are the page's own file, or the browser's own
# background services (which the flags reduce but do not silence), never anything the page named.
own='^(file://|https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)/)'
requested=$(grep -o '"url":"[^"]*"' "$work/net.json" | sed 's/"url":"\(.*\)"/\1/' | sort -u | grep -Ev "$own" || true)
if [ -n "$requested" ]; then
    fail "loading the page requested: $requested"
fi

if [ "$failures" -gt 0 ]; then
    echo "--- chromium's log:" >&2
    tail -n 20 "$work/chromium.log" >&2 || true
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "report-html: ok: $gaps gaps with their titles, $svgs SVG charts ($bars trend bars, $stations stations), $pages PDF pages, no request from the page"
