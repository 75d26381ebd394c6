#!/usr/bin/env python3
"""Time the photo pipeline: cold build, warm rebuild, the same site without photos, and Hugo.

    python3 bench/photos.py [--photos N] [--runs R] [--hugo PATH [--hugo-runs R]]

Needs the release binary and the photo generator:

    cargo build --release --bin yuanba --example gen_photos

Generates N (default 24) phone-like 12-megapixel JPEGs (noise-rich, about 3 MB, EXIF
orientation 6 and GPS; `examples/gen_photos.rs`) into $BENCH_OUT/photos, and two sites of N
stories: `site-photos`, each story a folder with its photo as the lead image, and
`site-nophotos`, the same stories without. Then, R times each (default 5), measures:

- cold: `yuanba build` with no image cache and no output folder;
- warm: `yuanba build` again (every photo from the cache);
- nophotos: `yuanba build` of the site without photos;
- hugo (with --hugo PATH to a `hugo` binary): a Hugo site with the same photos as page
  bundles, whose single template makes the same variants (480/960/1440 × WebP/JPEG, q80,
  `.Resize "960x webp q80"`…), built with an empty resources cache each time
  (--hugo-runs times, default 3: it is slow).

Each run reports wall time, CPU time (user + system of the child) and peak RSS, from wait4().
Prints every run, the medians, and rows for BENCHMARKS.md. Python standard library only.
Environment: BENCH_OUT (default /tmp/yuanba-bench-photos), YUANBA_BIN (default
$CARGO_TARGET_DIR or target, /release/yuanba), GEN_BIN (.../release/examples/gen_photos).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
OUT = os.environ.get("BENCH_OUT", "/tmp/yuanba-bench-photos")
YUANBA = os.environ.get("YUANBA_BIN", os.path.join(TARGET, "release", "yuanba"))
GEN = os.environ.get("GEN_BIN", os.path.join(TARGET, "release", "examples", "gen_photos"))

STORY = """---
title: 社区走访第{i}篇
date: 2018-03-{day:02d}
district: 成华区
street: 白莲池街道
community: 白莲社区
reporter: 彭戎
photo_credit: 社区供图
{images}---

正文第{i}篇。社区组织居民议事，讨论院坝改造。
"""

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""

HUGO_SINGLE = """{{ $img := .Resources.GetMatch "photo.jpg" }}
{{ with $img }}{{ range slice 480 960 1440 }}
{{ $webp := $img.Resize (printf "%dx webp q80" .) }}
{{ $jpeg := $img.Resize (printf "%dx jpg q80" .) }}
<img src="{{ $webp.RelPermalink }}"><img src="{{ $jpeg.RelPermalink }}">
{{ end }}{{ end }}
"""


def run(cmd: list[str], cwd: str | None = None) -> tuple[float, float, float]:
    """Runs cmd; returns (wall s, CPU s, peak RSS MiB) of the child, from wait4()."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def make_sites(n: int) -> None:
    photos = os.path.join(OUT, "photos")
    if not os.path.isdir(photos) or len(os.listdir(photos)) < n:
        print(f"== generating {n} photos into {photos}", flush=True)
        subprocess.run([GEN, photos, str(n)], check=True)
    for name, with_photos in [("site-photos", True), ("site-nophotos", False)]:
        site = os.path.join(OUT, name)
        shutil.rmtree(site, ignore_errors=True)
        os.makedirs(site)
        with open(os.path.join(site, "site.yaml"), "w", encoding="utf-8") as f:
            f.write("title: 基准\nbase_url: https://example.org/\nsearch: false\n")
        for i in range(n):
            folder = os.path.join(site, "content", "stories", f"s{i:03d}")
            os.makedirs(folder)
            images = "images:\n  - src: photo.jpg\n    alt: 院坝\n" if with_photos else ""
            with open(os.path.join(folder, "index.md"), "w", encoding="utf-8") as f:
                f.write(STORY.format(i=i, day=1 + i % 28, images=images))
            if with_photos:
                os.link(os.path.join(photos, f"photo-{i:03d}.jpg"), os.path.join(folder, "photo.jpg"))
    hugo = os.path.join(OUT, "hugo-site")
    shutil.rmtree(hugo, ignore_errors=True)
    os.makedirs(os.path.join(hugo, "layouts", "_default"))
    with open(os.path.join(hugo, "hugo.toml"), "w") as f:
        f.write(HUGO_CONFIG)
    with open(os.path.join(hugo, "layouts", "_default", "single.html"), "w") as f:
        f.write(HUGO_SINGLE)
    with open(os.path.join(hugo, "layouts", "_default", "list.html"), "w") as f:
        f.write("{{ range .Pages }}{{ .Title }}{{ end }}")
    for i in range(n):
        folder = os.path.join(hugo, "content", "posts", f"s{i:03d}")
        os.makedirs(folder)
        with open(os.path.join(folder, "index.md"), "w") as f:
            f.write(f"---\ntitle: s{i}\n---\n\nbody\n")
        os.link(os.path.join(photos, f"photo-{i:03d}.jpg"), os.path.join(folder, "photo.jpg"))


def measure(label: str, runs: int, prepare, cmd: list[str], cwd: str | None = None) -> dict:
    results = []
    for r in range(runs):
        prepare()
        wall, cpu, rss = run(cmd, cwd)
        results.append((wall, cpu, rss))
        print(f"{label} run {r + 1}: {wall:.3f} s wall, {cpu:.3f} s CPU, {rss:.0f} MiB", flush=True)
    med = {
        "wall": statistics.median(w for w, _, _ in results),
        "cpu": statistics.median(c for _, c, _ in results),
        "rss": statistics.median(m for _, _, m in results),
    }
    print(f"{label} median: {med['wall']:.3f} s wall, {med['cpu']:.3f} s CPU, {med['rss']:.0f} MiB", flush=True)
    return med


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hugo")
    parser.add_argument("--hugo-runs", type=int, default=3)
    args = parser.parse_args()
    for binary in (YUANBA, GEN):
        if not os.access(binary, os.X_OK):
            sys.exit(f"{binary} not found: cargo build --release --bin yuanba --example gen_photos")
    make_sites(args.photos)
    photos_site = os.path.join(OUT, "site-photos")
    plain_site = os.path.join(OUT, "site-nophotos")

    def cold() -> None:
        shutil.rmtree(os.path.join(photos_site, ".yuanba"), ignore_errors=True)
        shutil.rmtree(os.path.join(photos_site, "public"), ignore_errors=True)

    build = [YUANBA, "build", "--root"]
    res = {}
    res["cold"] = measure("cold", args.runs, cold, build + [photos_site])
    res["warm"] = measure("warm", args.runs, lambda: None, build + [photos_site])
    res["nophotos"] = measure("nophotos", args.runs, lambda: None, build + [plain_site])
    if args.hugo:
        hugo_site = os.path.join(OUT, "hugo-site")

        def hugo_cold() -> None:
            for sub in ("resources", "public"):
                shutil.rmtree(os.path.join(hugo_site, sub), ignore_errors=True)
            shutil.rmtree(os.path.join(OUT, "hugo-cache"), ignore_errors=True)

        res["hugo"] = measure(
            "hugo cold",
            args.hugo_runs,
            hugo_cold,
            [args.hugo, "--quiet", "--cacheDir", os.path.join(OUT, "hugo-cache"), "-s", hugo_site],
        )
    n = args.photos
    per_photo = (res["cold"]["cpu"] - res["nophotos"]["cpu"]) / n
    print()
    print(f"CPU per photo (cold minus no photos, / {n}): {per_photo * 1000:.0f} ms")
    print(f"warm / cold: {res['warm']['wall'] / res['cold']['wall']:.3f}; "
          f"warm / no photos: {res['warm']['wall'] / res['nophotos']['wall']:.3f}")
    print()
    print("| run | median wall s | median CPU s | median peak MiB |")
    print("| --- | ---: | ---: | ---: |")
    for key, label in [("cold", f"yuanba cold, {n} photos"), ("warm", "yuanba warm rebuild"),
                       ("nophotos", "yuanba, same stories without photos"), ("hugo", "Hugo 0.168 cold")]:
        if key in res:
            r = res[key]
            print(f"| {label} | {r['wall']:.3f} | {r['cpu']:.3f} | {r['rss']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
