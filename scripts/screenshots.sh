#!/usr/bin/env bash
# Builds the example site and takes full-page screenshots of the home page and a story at
# 390 px (a phone) and 1280 px (a desktop), in the light and the dark colour scheme, into
# docs/screenshots/ (or the folder given as the first argument).
#
# Installs what it needs when it is missing: Debian's chromium and fonts-noto-cjk (needs root
# and apt), and playwright-core from npm into ~/.cache/yuanba-screenshots (no browser download:
# playwright drives the system chromium). Needs cargo, python3, node and npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-docs/screenshots}"
STORY="${STORY:-stories/bailian/}"
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/yuanba-screenshots"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d "$TOOLS/node_modules/playwright-core" ]; then
  echo "installing playwright-core into $TOOLS" >&2
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm install --silent --no-audit --no-fund playwright-core@1 >/dev/null)
fi

WORK="$(mktemp -d -t yuanba-screens.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo run --quiet --release -- build --output "$WORK/public" >&2
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$WORK/public" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(grep -oE 'port [0-9]+' "$WORK/server.log" | head -1 | cut -d' ' -f2 || true)"
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "the local server did not start" >&2; exit 1; }

mkdir -p "$OUT"
NODE_PATH="$TOOLS/node_modules" node - "http://127.0.0.1:$PORT" "$STORY" "$OUT" "$CHROMIUM" <<'JS'
const { chromium } = require("playwright-core");
const [origin, story, out, executablePath] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    for (const scheme of ["light", "dark"]) {
      for (const width of [390, 1280]) {
        const mobile = width < 600;
        const context = await browser.newContext({
          viewport: { width, height: mobile ? 844 : 900 },
          deviceScaleFactor: 1,
          isMobile: mobile,
          hasTouch: mobile,
          colorScheme: scheme,
        });
        // Nothing outside the local server may load.
        await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
        const page = await context.newPage();
        for (const [name, path] of [["home", "/"], ["story", "/" + story]]) {
          await page.goto(origin + path, { waitUntil: "load" });
          const file = `${out}/${name}-${width}-${scheme}.png`;
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
})().catch((error) => { console.error(error); process.exit(1); });
JS
