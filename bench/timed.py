#!/usr/bin/env python3
"""Run a command and report its wall time and peak RSS.

    python3 bench/timed.py [--log FILE] [--] COMMAND [ARG ...]

Prints one line to stdout, "<wall seconds> <peak RSS MiB>", e.g. "1.234 56.7", and exits
with the command's exit status (128+N if it was killed by signal N). The command's own
stdout and stderr go to FILE when --log is given (appended), else are inherited.

Wall time runs from just before the fork until the child has been reaped. Peak RSS is the
child's ru_maxrss from wait4() (which also covers descendants it waited for). Caveat: Linux
counts the forked copy of this wrapper in it, so values below ~10 MiB cannot be measured (a
note goes to stderr when the result is at that floor). Python standard library only.
"""

from __future__ import annotations

import os
import resource
import sys
import time


def main(argv: list[str]) -> int:
    log = None
    while argv and argv[0].startswith("-"):
        if argv[0] == "--":
            argv = argv[1:]
            break
        if argv[0] == "--log" and len(argv) > 1:
            log = argv[1]
            argv = argv[2:]
        elif argv[0].startswith("--log="):
            log = argv[0].split("=", 1)[1]
            argv = argv[1:]
        else:
            print(f"timed.py: unknown option {argv[0]}", file=sys.stderr)
            return 2
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2

    # Plain fork + exec rather than subprocess (which uses vfork): Linux folds the RSS of the
    # address space that exec replaces into the child's ru_maxrss, and after a fork that is only
    # the wrapper's private pages (~10 MiB) instead of all of it (~14 MiB). See "floor" below.
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB (Linux)
    log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if log else -1
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        try:
            if log_fd >= 0:
                os.dup2(log_fd, 1)
                os.dup2(log_fd, 2)
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, f"timed.py: cannot run {argv[0]}: {e}\n".encode())
        os._exit(127)
    if log_fd >= 0:
        os.close(log_fd)
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)

    # ru_maxrss is KiB on Linux, bytes on macOS.
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    print(f"{wall:.3f} {rss_bytes / (1024 * 1024):.1f}", flush=True)
    if usage.ru_maxrss <= floor:
        print(
            f"timed.py: note: peak RSS is not above the wrapper's own ({floor / 1024:.1f} MiB); "
            "it may be the wrapper's floor rather than the command's peak",
            file=sys.stderr,
        )
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
