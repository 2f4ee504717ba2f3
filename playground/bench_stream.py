"""`playground bench stream`: live streaming through the real parts, end to end.

1. Fan-out: R runs each emit metrics at H Hz for S seconds through the worker's sink (RunEventSink: rows in the
   database, then the channel layer), from a separate publisher process as on a worker; C websocket clients
   (C/R per run) connected to daphne receive them. Reported: p50/p99/max of emit → receive (both on this
   machine's clock) and events lost (expected minus received, per client).
2. Submit → first metric: a real Celery worker idles on its slot; the run is POSTed to the API and the time to
   its first metrics event on the websocket is measured, several times (the median is reported).

Everything runs on a throw-away PLAYGROUND_HOME (SQLite unless DATABASE_URL is set) and the Redis at REDIS_URL,
or an embedded one. Registered into the `playground` CLI through the entry point group `playground.cli`."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def register(groups: dict[str, Any]) -> None:
    p = groups["bench"].add_parser("stream", help="websocket fan-out latency and submit → first metric")
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--hz", type=float, default=20.0, help="metrics events per second per run")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--publishers", type=int, default=4,
                   help="processes emitting the runs' events (workers are one process per run)")
    p.add_argument("--submits", type=int, default=5, help="submit → first metric trials (0: skip)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--write", metavar="FILE", help="also record the figures in this markdown file")
    p.set_defaults(handler=cmd_bench_stream)


# ----- set-up --------------------------------------------------------------------------------------------------
def _setup(home: Path) -> tuple[str, Any]:
    os.environ["PLAYGROUND_HOME"] = str(home)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{home}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "playground.settings"
    os.environ["PLAYGROUND_CHANNEL_PREFIX"] = f"bench-{home.name}"  # run ids repeat across benchmarks
    from playground.redis_embed import ensure_redis

    url, embedded = ensure_redis(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), home / "redis")
    os.environ["REDIS_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url, embedded


def _spawn(argv: list[str], log: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"daphne exited:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.1)
    raise RuntimeError("daphne did not listen within 60 s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----- the publisher process (`python -m playground.bench_stream publish …`) -----------------------------------
def publish_main(run_ids: list[int], hz: float, seconds: float) -> None:
    """Emit metrics for every run at `hz` through RunEventSink, as a worker would; one thread per run. The sinks
    connect first (an empty publish opens each one's channel-layer connection), then all start together."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    import django

    django.setup()
    from playground.runs.sinks import RunEventSink
    from trainer.train.events import MetricsEvent

    total = int(hz * seconds)
    failures: list[int] = []

    sinks = {r: RunEventSink(r, attempt=0) for r in run_ids}
    for sink in sinks.values():
        if sink.publisher is not None:
            sink.publisher.publish([])
            sink.publisher.close_pending()
    start_at = time.time() + 0.5

    def emit(run_id: int) -> None:
        sink = sinks[run_id]
        period = 1.0 / hz
        for k in range(total):
            due = start_at + k * period
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            sink.emit(MetricsEvent(seq=k + 1, t=time.time(), step=k + 1, epoch=k / 100,
                                   values={"train/loss": 1.0 / (k + 1), "train/lr": 0.01}))
        sink.close()
        if sink.publisher is not None:
            failures.append(sink.publisher.failures)

    threads = [threading.Thread(target=emit, args=(r,)) for r in run_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"publish_failures": sum(failures)}), flush=True)


# ----- the clients ---------------------------------------------------------------------------------------------
async def _client(url: str, expected: int, latencies: list[tuple[int, float]], seen: set[int], ready: asyncio.Event,
                  deadline: float) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None, open_timeout=30) as ws:
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.time()))
            now = time.time()
            if isinstance(raw, bytes):
                continue
            event = json.loads(raw)
            if event.get("type") == "replayed":
                ready.set()
                continue
            if event.get("type") == "metrics":
                latencies.append((event["seq"], now - event["t"]))
                seen.add(event["seq"])
                if event["seq"] >= expected:
                    return


async def _fan_out(base: str, token: str, run_ids: list[int], clients: int, expected: int, seconds: float,
                   publisher_argv: list[list[str]], log: Path) -> dict[str, Any]:
    per_client: list[tuple[list[tuple[int, float]], set[int]]] = []
    tasks = []
    deadline = time.time() + seconds + 120
    readies = []
    for i in range(clients):
        run_id = run_ids[i % len(run_ids)]
        lat: list[tuple[int, float]] = []
        seen: set[int] = set()
        per_client.append((lat, seen))
        ready = asyncio.Event()
        readies.append(ready)
        url = f"{base.replace('http', 'ws', 1)}/ws/runs/{run_id}/?token={token}"
        tasks.append(asyncio.create_task(_client(url, expected, lat, seen, ready, deadline)))
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    procs = [await asyncio.create_subprocess_exec(*argv, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                  stderr=open(log.with_suffix(f".{i}.log"), "wb"))
             for i, argv in enumerate(publisher_argv)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    outs = [(await p.communicate())[0].decode().strip().splitlines() for p in procs]
    errors = [r for r in results if isinstance(r, BaseException)]
    all_lat = sorted(x for lat, _ in per_client for _, x in lat)
    warm = int(expected * 0.1)  # the first tenth: processes and connections still warming up
    steady = sorted(x for lat, _ in per_client for seq, x in lat if seq > warm)
    lost = sum(expected - len(seen) for _, seen in per_client)
    q = statistics.quantiles(all_lat, n=100) if len(all_lat) >= 2 else [float("nan")] * 99
    qs = statistics.quantiles(steady, n=100) if len(steady) >= 2 else [float("nan")] * 99
    return {
        "steady_p50_ms": round(qs[49] * 1000, 2), "steady_p99_ms": round(qs[98] * 1000, 2),
        "clients": clients, "runs": len(run_ids), "events_per_run": expected,
        "received": len(all_lat), "lost": lost, "client_errors": len(errors),
        "p50_ms": round(q[49] * 1000, 2), "p99_ms": round(q[98] * 1000, 2),
        "max_ms": round(all_lat[-1] * 1000, 2) if all_lat else None,
        "publishers": len(procs),
        "publish_failures": sum(json.loads(o[-1])["publish_failures"] for o in outs if o),
    }


async def _first_metric(base: str, token: str, spec: dict[str, Any]) -> tuple[float, float]:
    """POST a run and return (seconds to its running status, seconds to its first metrics event)."""
    from websockets.asyncio.client import connect

    started = time.perf_counter()
    request = urllib.request.Request(f"{base}/api/runs", data=json.dumps(spec).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    reply = await asyncio.to_thread(lambda: json.loads(urllib.request.urlopen(request, timeout=30).read()))
    running = float("nan")
    async with connect(f"{base.replace('http', 'ws', 1)}/ws/runs/{reply['id']}/?token={token}") as ws:
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=60)
            if isinstance(raw, bytes):
                continue
            event = json.loads(raw)
            if event.get("type") == "status" and event.get("status") == "running" and running != running:
                running = time.perf_counter() - started
            if event.get("type") == "metrics":
                first = time.perf_counter() - started
                break
    cancel = urllib.request.Request(f"{base}/api/runs/{reply['id']}/cancel", method="POST",
                                    headers={"Authorization": f"Bearer {token}"})
    await asyncio.to_thread(lambda: urllib.request.urlopen(cancel, timeout=30).read())
    return running, first


def _wait_idle(queue: str, timeout: float = 60) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from playground.runs.models import Run, WorkerSlot

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = timezone.now() - timedelta(seconds=10)
        if (WorkerSlot.objects.filter(queue=queue, run__isnull=True, heartbeat_at__gte=fresh).exists()
                and not Run.objects.filter(status__in=Run.ACTIVE).exists()):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the worker on {queue} did not become idle within {timeout} s")


def cmd_bench_stream(args: argparse.Namespace) -> int:
    home = Path(tempfile.mkdtemp(prefix="playground-bench-"))
    url, embedded = _setup(home)
    from django.contrib.auth import get_user_model

    from playground.runs.models import ApiToken, Run

    user = get_user_model().objects.create_user("bench", password="bench-only")
    token = ApiToken.objects.create(user=user).key
    run_ids = [Run.objects.create(owner=user, spec={}, status=Run.Status.RUNNING, name=f"bench {i}").pk
               for i in range(args.runs)]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    daphne_log = home / "daphne.log"
    daphne = _spawn([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                     "playground.asgi:application"], daphne_log)
    worker = None
    summary: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{'SQLite' if os.environ['DATABASE_URL'].startswith('sqlite') else 'PostgreSQL'}",
        "date": datetime.date.today().isoformat(), "redis": url,
    }
    try:
        _wait_port(port, daphne, daphne_log)
        n = max(1, min(args.publishers, len(run_ids)))
        publisher = [[sys.executable, "-m", "playground.bench_stream", "publish", ",".join(map(str, run_ids[i::n])),
                      str(args.hz), str(args.seconds)] for i in range(n)]
        expected = int(args.hz * args.seconds)
        summary["fan_out"] = asyncio.run(_fan_out(base, token, run_ids, args.clients, expected, args.seconds,
                                                  publisher, home / "publisher.log"))
        if args.submits:
            Run.objects.filter(pk__in=run_ids).update(status=Run.Status.FINISHED)
            worker_log = home / "worker.log"
            queue = f"bench-{home.name}"  # benchmarks sharing a Redis must not take each other's jobs
            worker = _spawn([sys.executable, "-m", "celery", "-A", "playground", "worker", "-Q", queue,
                             "-n", f"{queue}@%h", "-c", "1", "-l", "warning", "--without-gossip",
                             "--without-mingle", "--without-heartbeat"], worker_log,
                            PLAYGROUND_SLOT_QUEUE=queue, CUDA_VISIBLE_DEVICES="")
            spec = json.loads((ROOT / "examples" / "xor.json").read_text())
            trials = []
            for _ in range(args.submits):
                _wait_idle(queue)
                trials.append(asyncio.run(_first_metric(base, token, spec)))
            firsts = [f for _, f in trials]
            summary["submit"] = {
                "trials": len(trials),
                "to_running_s_median": round(statistics.median(r for r, _ in trials), 3),
                "to_first_metric_s_median": round(statistics.median(firsts), 3),
                "to_first_metric_s_max": round(max(firsts), 3),
            }
    finally:
        if worker is not None:
            _stop(worker)
        _stop(daphne)
        if embedded is not None:
            embedded.stop()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _print(summary)
    if args.write:
        record_stream(Path(args.write), summary, args)
    fan = summary["fan_out"]
    return 0 if fan["lost"] == 0 and fan["client_errors"] == 0 else 1


def _print(summary: dict[str, Any]) -> None:
    fan = summary["fan_out"]
    print(f"fan-out: {fan['clients']} clients on {fan['runs']} runs, {fan['events_per_run']} events per run: "
          f"p50 {fan['p50_ms']} ms, p99 {fan['p99_ms']} ms, max {fan['max_ms']} ms, lost {fan['lost']}")
    if "submit" in summary:
        s = summary["submit"]
        print(f"submit → first metric: median {s['to_first_metric_s_median']} s "
              f"(running after {s['to_running_s_median']} s), max {s['to_first_metric_s_max']} s")


def record_stream(path: Path, summary: dict[str, Any], args: argparse.Namespace) -> None:
    from trainer.bench.report import replace_section

    fan = summary["fan_out"]
    lines = [
        "## Live streaming",
        "",
        f"`playground bench stream --clients {args.clients} --runs {args.runs} --hz {args.hz:g} --seconds "
        f"{args.seconds:g} --publishers {fan['publishers']}` on {summary['machine']}, {summary['date']}. "
        "Publishers (a RunEventSink per run, as on workers) → database → channel layer (Redis pub/sub) → one "
        "daphne → websocket clients, all on this machine.",
        "",
        "| figure | value | goal |",
        "|---|---:|---|",
        f"| clients / runs / events per run | {fan['clients']} / {fan['runs']} / {fan['events_per_run']} | |",
        f"| emit → receive p50 | {fan['p50_ms']} ms | |",
        f"| emit → receive p99 | {fan['p99_ms']} ms | < 100 ms |",
        f"| emit → receive p99 after the first tenth | {fan['steady_p99_ms']} ms | |",
        f"| emit → receive max | {fan['max_ms']} ms | |",
        f"| events lost | {fan['lost']} | 0 |",
    ]
    if "submit" in summary:
        s = summary["submit"]
        lines += [
            f"| submit → running status (median of {s['trials']}) | {s['to_running_s_median']} s | |",
            f"| submit → first metric (median of {s['trials']}) | {s['to_first_metric_s_median']} s | < 2 s + "
            "model build |",
            f"| submit → first metric (max) | {s['to_first_metric_s_max']} s | |",
        ]
    lines.append("")
    replace_section(path, lines[0], "\n".join(lines))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "publish":
    publish_main([int(x) for x in sys.argv[2].split(",")], float(sys.argv[3]), float(sys.argv[4]))
