#!/usr/bin/env python3
"""Measure `yuanba serve`: from a saved edit to the reload event reaching a connected page.

    python3 bench/serve_latency.py [N] [--edits K] [--pause S] [--only story|template] [--bin PATH] [--out DIR]

Generates the N-story site (default 10000) with bench/gen_site.py into OUT/site-N if it is
not there yet (OUT: $BENCH_OUT or bench/out), starts `yuanba serve --port 0` on it, connects
to /__yuanba/events as the page of the story it edits, then K times (default 7) each:

- saves a story as editors do (write a temporary file, rename it over the story) and times
  until the `rebuild` event arrives;
- saves `templates/story.html` (the built-in one with a changing HTML comment, so every story
  page changes) and times the same.

Prints every latency, the medians, the terminal lines serve printed, and the peak RSS of the
serve process (VmHWM) next to the peak RSS of one `yuanba build` of the same site. Linux only
(VmHWM). Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import queue

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=10000)
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--pause", type=float, default=0.5,
                    help="seconds between an edit's reload and the next edit (default 0.5; serve "
                         "builds the search index in the background meanwhile)")
    ap.add_argument("--only", choices=["story", "template"],
                    help="save only stories, or only the template (default: both, alternating)")
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/yuanba"))
    ap.add_argument("--out", default=os.environ.get("BENCH_OUT", os.path.join(HERE, "out")))
    args = ap.parse_args()

    site = os.path.join(args.out, f"site-{args.n}")
    if not os.path.isfile(os.path.join(site, "site.yaml")):
        tmp = site + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_site.py"), str(args.n), tmp], check=True)
        shutil.rmtree(site, ignore_errors=True)
        os.rename(tmp, site)
    # A template override left by an earlier run would make every measurement a template edit.
    shutil.rmtree(os.path.join(site, "templates"), ignore_errors=True)
    story = pick_story(site)
    original = open(story, encoding="utf-8").read()
    slug = os.path.splitext(os.path.basename(story))[0]
    if slug == "index":
        slug = os.path.basename(os.path.dirname(story))

    # Made before serve starts: a folder created during the first edit would make it a
    # template change.
    os.makedirs(os.path.join(site, "templates"), exist_ok=True)

    build_peak = one_shot_build_peak(args.bin, site)

    serve = subprocess.Popen(
        [args.bin, "serve", "--port", "0", "--root", site],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=pump, args=(serve.stdout, lines), daemon=True).start()
    printed = []
    try:
        url = wait_line(lines, printed, lambda line: line.startswith("serving ")).split()[1]
        events = EventStream(url, f"/stories/{slug}/")
        story_ms = []
        template_ms = []
        template = builtin_story_template()
        for i in range(args.edits):
            text = original.replace("\n---\n", f"\n---\n\n编辑 {i}。\n", 1)
            if args.only != "template":
                story_ms.append(timed_save(events, story, text, args.pause))
            if args.only != "story":
                # A visible change (an HTML comment in every story page), so that the page
                # open in the browser is told to reload, as after a real template edit.
                edited = template.replace("{% endblock content %}",
                                          f"<!-- edit {i} -->\n{{% endblock content %}}", 1)
                template_ms.append(timed_save(events, os.path.join(site, "templates", "story.html"),
                                              edited, args.pause))
        # Drain what serve printed.
        time.sleep(0.2)
        while not lines.empty():
            printed.append(lines.get())
        serve_peak = vm_hwm(serve.pid)
    finally:
        serve.send_signal(2)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
        with open(story, "w", encoding="utf-8") as f:
            f.write(original)
        shutil.rmtree(os.path.join(site, "templates"), ignore_errors=True)

    print("serve printed:")
    for line in printed:
        print("  " + line)
    if story_ms:
        print(f"story edit → reload event, ms:    {fmt(story_ms)}  median {statistics.median(story_ms):.0f}")
    if template_ms:
        print(f"template edit → reload event, ms: {fmt(template_ms)}  median {statistics.median(template_ms):.0f}")
    print(f"peak RSS: serve {serve_peak / 2**20:.0f} MiB, one-shot build {build_peak / 2**20:.0f} MiB "
          f"({serve_peak / build_peak:.2f}x)")
    return 0


def fmt(values: list[float]) -> str:
    return " ".join(f"{v:.0f}" for v in values)


def pick_story(site: str) -> str:
    for folder, _dirs, files in sorted(os.walk(os.path.join(site, "content"))):
        for name in sorted(files):
            if name.endswith(".md") and name != "index.md":
                return os.path.join(folder, name)
    raise SystemExit("no story found")


def builtin_story_template() -> str:
    with open(os.path.join(REPO, "themes/default/templates/story.html"), encoding="utf-8") as f:
        return f.read()


def one_shot_build_peak(binary: str, site: str) -> int:
    out = os.path.join(site, "public")
    result = subprocess.run(
        [sys.executable, os.path.join(HERE, "timed.py"), "--log", os.devnull, "--", binary, "build",
         "--root", site, "--drafts", "--output", out],
        check=True, capture_output=True, text=True,
    )
    _seconds, mib = result.stdout.split()
    return int(float(mib) * 2**20)


def vm_hwm(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise SystemExit("no VmHWM")


def timed_save(events: "EventStream", path: str, text: str, pause: float) -> float:
    """Atomically saves `text` to `path` and returns ms until the `rebuild` event that tells the
    open page to reload (events of earlier work, such as the other pages of a template change,
    tell it nothing and are skipped)."""
    events.drain()
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    start = time.monotonic()
    os.rename(tmp, path)
    while True:
        data = events.next(timeout=120)
        if '"error":true' in data:
            raise SystemExit(f"the edit broke the build: {data}")
        if '"action":"reload"' in data:
            break
    elapsed = (time.monotonic() - start) * 1000
    # Let the watcher go quiet so the next edit is its own rebuild.
    time.sleep(pause)
    return elapsed


def pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def wait_line(lines: queue.Queue, printed: list, match, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        printed.append(line)
        if match(line):
            return line


class EventStream:
    """A connection to /__yuanba/events that queues the data of each `rebuild` event."""

    def __init__(self, url: str, page: str) -> None:
        host, port = url.split("//")[1].split("/")[0].split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(f"GET /__yuanba/events?page={page} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.queue: queue.Queue[str] = queue.Queue()
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(30):
            raise SystemExit("no ready event")

    def _read(self) -> None:
        f = self.sock.makefile("rb")
        while f.readline() not in (b"\r\n", b""):
            pass
        text = ""
        while True:
            size_line = f.readline()
            if not size_line:
                return
            size = int(size_line.strip() or b"0", 16)
            chunk = f.read(size + 2)[:size]
            text += chunk.decode()
            while "\n\n" in text:
                block, text = text.split("\n\n", 1)
                name = data = ""
                for field in block.split("\n"):
                    if field.startswith("event:"):
                        name = field[6:].strip()
                    elif field.startswith("data:"):
                        data += field[5:].strip()
                if name == "ready":
                    self.ready.set()
                elif name == "rebuild":
                    self.queue.put(data)

    def drain(self) -> None:
        while not self.queue.empty():
            self.queue.get()

    def next(self, timeout: float) -> str:
        return self.queue.get(timeout=timeout)


if __name__ == "__main__":
    sys.exit(main())
