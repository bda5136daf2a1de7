#!/usr/bin/env python3
"""Webhook delivery benchmark: a local receiver for N endpoints, a driver that commits events
through the GraphQL API, and the figures (see bench/webhooks.sh, which starts the server).

Two phases, both with `createContact` as the event (`contact.created`, which every endpoint
subscribes to):

1. latency: events at a fixed rate (default 50/s) for a duration; every delivery's
   event-commit → received latency is the receive time minus the body's `timestamp` (the
   event's `occurredAt`, stamped by the server as the write's last statement, just before
   COMMIT; same machine, same clock).
2. throughput: a burst of events as fast as a few clients can commit them; deliveries per
   second is the deliveries received over the time from the first to the last.

Each phase waits until every endpoint received every event (or a deadline) and checks none was
lost or delivered twice. Prints one Markdown table row per phase and a JSON summary.
"""

import argparse
import http.client
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


class Received:
    """Every delivery the receiver got: (endpoint, webhook-id, latency in s, received at)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []

    def add(self, row):
        with self.lock:
            self.rows.append(row)

    def count(self):
        with self.lock:
            return len(self.rows)

    def since(self, start):
        with self.lock:
            return self.rows[start:]


def receiver(received, port):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            at = time.time()
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            committed = datetime.fromisoformat(json.loads(body)["timestamp"]).timestamp()
            received.add((self.path, self.headers.get("webhook-id"), at - committed, at))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Api:
    """One keep-alive GraphQL connection (one per driving thread)."""

    def __init__(self, url, key):
        parsed = urlparse(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        self.headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}

    def call(self, query, variables=None):
        body = json.dumps({"query": query, "variables": variables or {}})
        self.conn.request("POST", "/graphql", body, self.headers)
        answer = json.loads(self.conn.getresponse().read())
        if answer.get("errors"):
            raise RuntimeError(json.dumps(answer["errors"])[:500])
        return answer["data"]


CREATE_ENDPOINT = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url,
  eventTypes: ["contact.created"], description: "bench"}) { webhookEndpoint { id } } }"""
CREATE_CONTACT = """mutation($name: String!) { createContact(input: {name: $name}) { contact { id } } }"""


def drive(url, key, rate, seconds, threads, label):
    """Commits events: `rate` a second for `seconds` (rate 0: as fast as `threads` clients can)
    → how many were committed."""
    committed = [0] * threads
    start = time.monotonic() + 0.1
    total = int(rate * seconds) if rate else None

    def run(slot):
        api = Api(url, key)
        i = slot
        while True:
            if total is not None:
                if i >= total:
                    return
                # Event i is due at start + i / rate; the threads interleave the schedule.
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            elif time.monotonic() - start >= seconds:
                return
            api.call(CREATE_CONTACT, {"name": f"{label} {slot}-{i}"})
            committed[slot] += 1
            i += threads

    workers = [threading.Thread(target=run, args=(s,)) for s in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(committed), time.monotonic() - start


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def phase(args, received, label, rate, seconds, threads):
    before = received.count()
    events, drive_seconds = drive(args.url, args.key, rate, seconds, threads, label)
    expected = events * args.endpoints
    deadline = time.monotonic() + args.deadline
    while received.count() - before < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    rows = received.since(before)
    unique = {(path, wid) for path, wid, _, _ in rows}
    latencies = sorted(r[2] for r in rows)
    span = max(r[3] for r in rows) - min(r[3] for r in rows) if len(rows) > 1 else 0
    return {
        "phase": label,
        "endpoints": args.endpoints,
        "events": events,
        "events_per_s": events / drive_seconds,
        "expected": expected,
        "delivered": len(rows),
        "lost": expected - len(unique),
        "duplicated": len(rows) - len(unique),
        "deliveries_per_s": len(rows) / span if span else 0.0,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * (latencies[-1] if latencies else 0),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the dealgraph server, http://127.0.0.1:PORT")
    parser.add_argument("--key", required=True, help="an admin API key")
    parser.add_argument("--port", type=int, default=18090, help="the receiver's port")
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0, help="events a second (latency phase)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--burst-clients", type=int, default=4, help="clients of the throughput phase")
    parser.add_argument("--deadline", type=float, default=120.0,
                        help="seconds to wait for the last deliveries after a phase")
    args = parser.parse_args()

    received = Received()
    server = receiver(received, args.port)
    api = Api(args.url, args.key)
    for n in range(args.endpoints):
        api.call(CREATE_ENDPOINT, {"url": f"http://127.0.0.1:{args.port}/endpoint-{n}"})

    results = [
        # At 50 events/s a client keeps up with one request in flight per 20 ms; four threads
        # keep the schedule when a request is slow.
        phase(args, received, "latency", args.rate, args.seconds, 4),
        phase(args, received, "throughput", 0, args.seconds, args.burst_clients),
    ]
    server.shutdown()
    for r in results:
        print(
            f"| {r['phase']} | {r['endpoints']} | {r['events']} | {r['events_per_s']:.1f} | "
            f"{r['delivered']} | {r['lost']} | {r['duplicated']} | {r['deliveries_per_s']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} |"
        )
    print("BENCH_JSON " + json.dumps(results))
    if any(r["lost"] or r["duplicated"] for r in results):
        raise SystemExit("deliveries were lost or duplicated")


if __name__ == "__main__":
    main()
