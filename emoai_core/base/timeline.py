"""Start-up timeline: named moments of one `emoai train`, appended to the file EMOAI_TIMELINE names.

`bench/train_startup.py` sets it to see where the seconds before the first training step go;
without it every `mark` is a no-op. Driver and workers (on this machine) append to one jsonl file,
each line `{"name", "time", "pid"}`; a line is one small write, so processes never interleave.
"""

from __future__ import annotations

import json
import os
import time

ENV_TIMELINE = "EMOAI_TIMELINE"


def mark(name: str) -> None:
    path = os.environ.get(ENV_TIMELINE)
    if not path:
        return
    line = json.dumps({"name": name, "time": time.time(), "pid": os.getpid()}) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        return  # a timeline is for measuring; it never stops a run


def read(path: str) -> list[dict]:
    try:
        with open(path) as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except OSError:
        return []
