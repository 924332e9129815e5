"""Page weight and load time on a slow link (issue 12): home, a thread, the seizure list, a record, the seizure
form and analytics, each opened once with an empty cache by a signed-in demo member in Chromium under network
emulation (256 kbit/s both ways, 400 ms latency), against a bare static HTML page of the same size served by
the same server software (uvicorn) in the same run. Aims: at most 100 KB transferred on first load, with
compression, and at most 3 s from navigation start to the load event.

    .venv/bin/python bench/pages.py --quick     # each page once
    .venv/bin/python bench/pages.py              # each page three times (median)

ENVIRONET runs as `make run` serves it (uvicorn, ENVIRONET_DEBUG=1, the demo network of `manage.py
seed_demo`, the static files collected with their gzip copies) in a temporary folder removed afterwards.
Bytes are what Chromium reports as received for every request the page made until its load event and one
quiet second after it (headers included: ``encodedDataLength``); the live-update stream, which never
finishes, counts what it had received by then.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import ROOT, child_env, free_port, migrate, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
MAX_BYTES = 100_000
MAX_SECONDS = 3.0
# Chromium's emulation: bytes per second, latency in milliseconds.
CONDITIONS = {"offline": False, "latency": 400, "downloadThroughput": 256_000 / 8, "uploadThroughput": 256_000 / 8}
DEMO_EMAIL = "member.kenya@demo.environet.test"
FILLER = b"<p>Forty tusks in hollowed logs, declared as timber, found at the port by the customs team.</p>\n"


async def baseline(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The baseline server: ``GET /<n>`` answers a bare HTML page of exactly n bytes, uncompressed."""
    if scope["type"] != "http":
        return
    if not scope["path"].strip("/").isdigit():  # the browser's /favicon.ico, as ENVIRONET answers it
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    size = int(scope["path"].strip("/"))
    head = b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Baseline</title></head><body>\n"
    tail = b"</body></html>\n"
    body = head + (FILLER * (size // len(FILLER) + 1))[: max(0, size - len(head) - len(tail))] + tail
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def readme_password() -> str:
    found = re.search(r"the one password they all share:\s*`([^`]+)`", (ROOT / "README.md").read_text("utf-8"))
    if not found:
        raise SystemExit("README.md no longer states the demo password")
    return found.group(1)


def manage(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.stdout


def sign_in(browser: Any, base: str, env: dict[str, str]) -> dict[str, Any]:
    """Sign in through the ordinary pages as the README says (password, then the demo code); the cookies."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/accounts/signin/")
    page.fill("input[name=email]", DEMO_EMAIL)
    page.fill("input[name=password]", readme_password())
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(re.compile(r"/signin/code/|/code/"))
    page.fill("input[name=code]", manage(env, "demo_code", DEMO_EMAIL).strip())
    with page.expect_navigation():
        page.click("form:has(input[name=code]) button[type=submit]")
    if "/accounts/signin" in page.url:
        raise SystemExit(f"signing in as {DEMO_EMAIL} failed: {page.url}\n{page.inner_text('main')[:500]}")
    state = context.storage_state()
    context.close()
    return state


def first_link(browser: Any, state: dict[str, Any], url: str, pattern: str) -> str:
    context = browser.new_context(storage_state=state, locale="en-GB")
    page = context.new_page()
    page.goto(url)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((link) => link.getAttribute('href'))")
    context.close()
    for href in hrefs:
        if re.fullmatch(pattern, href):
            return href
    raise SystemExit(f"no link matching {pattern} on {url}")


def measure(browser: Any, state: dict[str, Any] | None, url: str) -> dict[str, Any]:
    """One first load (fresh context, empty cache) under the emulated link."""
    context = browser.new_context(storage_state=state, locale="en-GB")
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    session.send("Network.emulateNetworkConditions", CONDITIONS)
    received: dict[str, float] = {}
    finished: dict[str, float] = {}
    encodings: dict[str, str] = {}
    types: dict[str, str] = {}
    session.on(
        "Network.dataReceived",
        lambda event: received.__setitem__(
            event["requestId"], received.get(event["requestId"], 0) + event["encodedDataLength"]
        ),
    )
    session.on(
        "Network.loadingFinished", lambda event: finished.__setitem__(event["requestId"], event["encodedDataLength"])
    )

    def response(event: dict[str, Any]) -> None:
        headers = {key.lower(): value for key, value in event["response"]["headers"].items()}
        encodings[event["requestId"]] = headers.get("content-encoding", "")
        types[event["requestId"]] = f"{event['type']} {event['response']['url']}"

    session.on("Network.responseReceived", response)
    answer = page.goto(url, wait_until="load", timeout=120_000)
    if answer is None or answer.status != 200 or "/accounts/signin" in page.url:
        raise SystemExit(f"{url}: {answer and answer.status} at {page.url}")
    page.wait_for_timeout(1000)  # requests a script starts after the load event
    seconds = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return (n.loadEventEnd - n.startTime) / 1000; }"
    )
    transferred = {key: finished.get(key, received.get(key, 0)) for key in set(received) | set(finished)}
    context.close()
    document = next((key for key in types if types[key].startswith("Document ")), "")
    compressible = [key for key in types if re.match(r"(Document|Stylesheet|Script|XHR|Fetch) ", types[key])]
    return {
        "bytes": int(sum(transferred.values())),
        "document_bytes": int(transferred.get(document, 0)),
        "seconds": round(seconds, 3),
        "requests": len(types),
        "compressed": sorted({types[key] for key in compressible if encodings.get(key)}),
        "uncompressed": sorted({types[key] for key in compressible if not encodings.get(key)}),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "bytes": int(statistics.median(run["bytes"] for run in runs)),
        "document_bytes": int(statistics.median(run["document_bytes"] for run in runs)),
        "seconds": round(statistics.median(run["seconds"] for run in runs), 3),
        "requests": runs[0]["requests"],
        "compressed": runs[0]["compressed"],
        "uncompressed": runs[0]["uncompressed"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="each page once instead of three times")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an aim is missed")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit("Chromium not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    servers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as folder:
        env = child_env(Path(folder))
        print(f"migrating and seeding the demo in {folder}", file=sys.stderr)
        migrate(env)
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--no-input", "-v", "0")  # as `make run` does: gzip copies of static files
        port, baseline_port = free_port(), free_port()
        try:
            servers.append(start_server("environet.asgi:application", port, env, ROOT))
            servers.append(start_server("pages:baseline", baseline_port, env, ROOT / "bench"))
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
                )
                try:
                    state = sign_in(browser, base, env)
                    paths = {
                        "home": "/",
                        "thread": first_link(browser, state, f"{base}/messages/", r"/messages/threads/\d+/"),
                        "seizure_list": "/seizures/",
                        "record": first_link(browser, state, f"{base}/seizures/", r"/seizures/\d+/"),
                        "seizure_form": "/seizures/new/",
                        "analytics": "/seizures/analytics/",
                    }
                    pages: dict[str, Any] = {}
                    for name, path in paths.items():
                        print(f"{name}: {path}", file=sys.stderr)
                        ours = median_of([measure(browser, state, base + path) for _ in range(repeat)])
                        bare_url = f"http://127.0.0.1:{baseline_port}/{ours['bytes']}"
                        bare = median_of([measure(browser, None, bare_url) for _ in range(repeat)])
                        pages[name] = {
                            "path": path,
                            **ours,
                            "baseline_seconds": bare["seconds"],
                            "baseline_bytes": bare["bytes"],
                            "seconds_vs_baseline": round(ours["seconds"] / bare["seconds"], 2),
                            "bytes_aim_met": ours["bytes"] <= MAX_BYTES,
                            "seconds_aim_met": ours["seconds"] <= MAX_SECONDS,
                        }
                        print(json.dumps({name: pages[name]}), file=sys.stderr)
                finally:
                    browser.close()
        finally:
            for server in servers:
                stop_server(server, wait=10)
    aims_met = all(page["bytes_aim_met"] and page["seconds_aim_met"] for page in pages.values())
    figures = {
        "bench": "pages",
        "quick": args.quick,
        "repeat": repeat,
        "conditions": {"kbit_s": 256, "latency_ms": 400},
        "aims": {"max_bytes": MAX_BYTES, "max_seconds": MAX_SECONDS},
        "pages": {
            name: {key: value for key, value in page.items() if key not in ("compressed", "uncompressed")}
            | {
                "compressed": bool(page["compressed"]) and not page["uncompressed"],
                "not_compressed": page["uncompressed"],
            }
            for name, page in pages.items()
        },
        "aims_met": aims_met,
    }
    print(json.dumps(figures))
    return 1 if args.strict and not aims_met else 0


if __name__ == "__main__":
    raise SystemExit(main())
