"""`playground bench stream` at a small scale: the command works end to end and loses nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.web import ROOT


def test_bench_stream_small(redis_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    env = {**os.environ, "REDIS_URL": redis_url}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "trainer.cli", "bench", "stream", "--clients", "4", "--runs", "2",
                           "--seconds", "2", "--submits", "1", "--json", "--write", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(done.stdout[done.stdout.index("{"):])
    fan = summary["fan_out"]
    assert fan["lost"] == 0 and fan["client_errors"] == 0
    assert fan["received"] == 4 * fan["events_per_run"] == 4 * 40
    assert 0 < fan["p50_ms"] <= fan["p99_ms"] <= fan["max_ms"]
    assert summary["submit"]["to_first_metric_s_median"] > 0
    text = out.read_text()
    assert "## Live streaming" in text and "events lost | 0 |" in text
