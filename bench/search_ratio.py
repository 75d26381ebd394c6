#!/usr/bin/env python3
"""What the search index adds to a build: builds with and without search, alternated.

    python3 bench/search_ratio.py [N] [--rounds R] [--out DIR] [--bin PATH] [--clean]

Issue 7 asks that the full build with search stay within 1.3x of the build without it. On a
shared machine one build's wall time moves by +-25% from minute to minute, so the two builds are
timed in turns, in the same minutes: each round builds the site with search, then its copy with
`search: false` (the same stories, hard-linked). Prints each round, then the medians of wall
time and of CPU time (user + sys of the child), the ratio of the medians, and the median of the
rounds' ratios.

N (default 10000) is the number of stories: the site is OUT/site-N, generated with
bench/gen_site.py when it is missing (as bench/run.sh does, default OUT bench/out or
$BENCH_OUT). The builds write to OUT/ratio-public and OUT/ratio-public-nosearch; with --clean
that folder is removed before each build (a first build), else each build replaces the
previous one's output (a rebuild). The binary is target/release/yuanba unless --bin is given:
build it first (`cargo build --release`). Python standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build(binary: Path, root: Path, output: Path, clean: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one `yuanba build`."""
    if clean:
        shutil.rmtree(output, ignore_errors=True)
    started = time.monotonic()
    child = subprocess.Popen(
        [str(binary), "build", "--root", str(root), "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        error = child.stderr.read().decode(errors="replace") if child.stderr else ""
        sys.exit(f"error: the build of {root} failed:\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def sites(n: int, out: Path) -> tuple[Path, Path]:
    """The generated site of n stories and its copy without search."""
    site = out / f"site-{n}"
    if not (site / "site.yaml").is_file():
        partial = out / f"site-{n}.tmp"
        shutil.rmtree(partial, ignore_errors=True)
        print(f"== generating {site}", flush=True)
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "gen_site.py"), str(n), str(partial)],
            check=True,
        )
        shutil.rmtree(site, ignore_errors=True)
        partial.rename(site)
    off = out / f"site-{n}-nosearch"
    if not (off / "site.yaml").is_file():
        shutil.rmtree(off, ignore_errors=True)
        off.mkdir(parents=True)
        subprocess.run(["cp", "-al", str(site / "content"), str(off / "content")], check=True)
        config = (site / "site.yaml").read_text(encoding="utf-8")
        (off / "site.yaml").write_text(config + "search: false\n", encoding="utf-8")
    return site, off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=11)
    default_out = Path(os.environ.get("BENCH_OUT", REPO / "bench" / "out"))
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--bin", type=Path, default=REPO / "target" / "release" / "yuanba")
    parser.add_argument("--clean", action="store_true", help="remove the output before each build")
    args = parser.parse_args()
    if args.rounds < 1:
        sys.exit("error: --rounds must be at least 1")
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"error: {args.bin} not found: run `cargo build --release` first")
    args.out.mkdir(parents=True, exist_ok=True)
    site, off = sites(args.n, args.out)
    outputs = (args.out / "ratio-public", args.out / "ratio-public-nosearch")
    # One warm-up round, not counted: it fills the page cache and makes the outputs exist.
    for root, output in zip((site, off), outputs):
        build(args.bin, root, output, args.clean)
    rounds = []
    print("round   with search (wall / CPU)   without (wall / CPU)   ratio (wall)", flush=True)
    for idx in range(1, args.rounds + 1):
        with_search = build(args.bin, site, outputs[0], args.clean)
        without = build(args.bin, off, outputs[1], args.clean)
        rounds.append((with_search, without))
        print(
            f"{idx:5}   {with_search[0]:6.2f} s / {with_search[1]:5.2f} s"
            f"        {without[0]:6.2f} s / {without[1]:5.2f} s"
            f"        {with_search[0] / without[0]:.2f}x",
            flush=True,
        )
    for label, k in (("wall", 0), ("CPU", 1)):
        searched = [r[0][k] for r in rounds]
        plain = [r[1][k] for r in rounds]
        ratio = statistics.median(searched) / statistics.median(plain)
        pairs = statistics.median([s / p for s, p in zip(searched, plain)])
        print(
            f"{label}: median {statistics.median(searched):.2f} s with search, "
            f"{statistics.median(plain):.2f} s without: ratio of medians {ratio:.2f}x, "
            f"median of the rounds' ratios {pairs:.2f}x ({len(rounds)} rounds)"
        )


if __name__ == "__main__":
    main()
