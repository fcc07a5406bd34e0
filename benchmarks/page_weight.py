"""Page weight: the bytes a compressed client transfers for a page, cold and warm.

Cold is an empty cache: the HTML and every stylesheet, script, icon and image it references (and
any ``url(...)`` inside those stylesheets). Warm is a returning browser: the HTML, plus, for each
resource whose ``Cache-Control`` does not let the browser reuse it without asking (``no-cache``,
``no-store`` or no ``max-age``), the conditional request it must make (``If-None-Match`` /
``If-Modified-Since``, usually a 304). Static files carry their content hash in the URL (``?v=``)
and should be served with a one-year cache, so warm should be the HTML alone; this is checked, not
assumed.

Bytes are counted as they travel: the compressed body (urllib does not decode) plus the response
status line and headers. The client sends ``Accept-Encoding: br, gzip`` as a phone's browser does
over HTTPS. Standalone use, against a running server and a logged-in cookie:

    .venv/bin/python benchmarks/page_weight.py http://127.0.0.1:8000 / --cookie 'session=...'
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

USER_AGENT = "wrk (Lentera benchmark)"  # the same as the load generator: one session identity


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Transfer:
    """One response as it travelled."""

    url: str
    status: int
    content_type: str
    encoding: str
    body_bytes: int
    header_bytes: int
    raw_bytes: int
    cache_control: str
    etag: str = ""
    last_modified: str = ""

    @property
    def total(self) -> int:
        return self.body_bytes + self.header_bytes


@dataclass
class PageWeight:
    """A page's cold and warm transfer."""

    url: str
    html: Transfer
    resources: list[Transfer] = field(default_factory=list)
    #: what a returning browser still transfers for resources it may not reuse unasked
    revalidations: list[Transfer] = field(default_factory=list)

    @property
    def cold_bytes(self) -> int:
        return self.html.total + sum(r.total for r in self.resources)

    @property
    def warm_bytes(self) -> int:
        return self.html.total + sum(r.total for r in self.revalidations)

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "cold_bytes": self.cold_bytes,
            "warm_bytes": self.warm_bytes,
            "html": asdict(self.html),
            "resources": [asdict(r) for r in self.resources],
            "revalidations": [asdict(r) for r in self.revalidations],
        }


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding in ("", "identity"):
        return body
    raise ValueError(f"unexpected Content-Encoding {encoding!r}")


def reusable_unasked(cache_control: str) -> bool:
    """Whether a browser may reuse a cached response without asking the server again."""
    directives = {d.strip().split("=")[0].lower(): d for d in cache_control.split(",") if d.strip()}
    if "no-cache" in directives or "no-store" in directives:
        return False
    max_age = directives.get("max-age", "max-age=0").split("=", 1)[1]
    return max_age.isdigit() and int(max_age) > 0


def fetch(
    url: str, cookie: str | None, accept_encoding: str, extra: dict[str, str] | None = None
) -> tuple[Transfer, bytes]:
    """GET a URL without following redirects; the transfer and the decoded body."""
    headers = {"Accept-Encoding": accept_encoding, "User-Agent": USER_AGENT, **(extra or {})}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        response = _OPENER.open(request, timeout=30)
    except urllib.error.HTTPError as error:  # 3xx/4xx arrive here without a redirect handler
        response = error
    with response:
        body = response.read()
        status = response.status
        items = response.headers.items()
    head = len(f"HTTP/1.1 {status} {response.reason}\r\n") + 2
    head += sum(len(k) + 2 + len(v) + 2 for k, v in items)
    hdr = {k.lower(): v for k, v in items}
    encoding = hdr.get("content-encoding", "")
    raw = _decode(body, encoding)
    transfer = Transfer(
        url=url,
        status=status,
        content_type=hdr.get("content-type", ""),
        encoding=encoding or "identity",
        body_bytes=len(body),
        header_bytes=head,
        raw_bytes=len(raw),
        cache_control=hdr.get("cache-control", ""),
        etag=hdr.get("etag", ""),
        last_modified=hdr.get("last-modified", ""),
    )
    return transfer, raw


class _References(HTMLParser):
    """Every subresource a browser would load for the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and ({"stylesheet", "icon", "preload", "modulepreload"} & set(rel)):
            self.urls.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag in ("img", "source", "audio", "track") and a.get("src"):
            if tag == "source" or a.get("loading") != "lazy":
                self.urls.append(a["src"])
        elif tag == "video" and a.get("poster"):
            self.urls.append(a["poster"])


_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def measure(
    base: str, path: str, cookie: str | None, accept_encoding: str = "br, gzip"
) -> PageWeight:
    """Fetch a page and everything it references, once each, like a browser with an empty cache."""
    url = urljoin(base, path)
    html, body = fetch(url, cookie, accept_encoding)
    if html.status != 200:
        raise RuntimeError(f"{url} answered {html.status}: is the cookie logged in?")
    weight = PageWeight(url=url, html=html)
    parser = _References()
    parser.feed(body.decode("utf-8", "replace"))
    queue = [urljoin(url, u) for u in parser.urls if u and not u.startswith("data:")]
    seen: set[str] = set()
    origin = urlsplit(url).netloc
    while queue:
        resource = queue.pop(0)
        if resource in seen or urlsplit(resource).netloc != origin:
            continue
        seen.add(resource)
        transfer, content = fetch(resource, cookie, accept_encoding)
        weight.resources.append(transfer)
        if transfer.content_type.startswith("text/css"):
            for ref in _CSS_URL.findall(content.decode("utf-8", "replace")):
                if not ref.startswith(("data:", "#")):
                    queue.append(urljoin(resource, ref))
    for transfer in weight.resources:
        if not reusable_unasked(transfer.cache_control):
            conditions = {}
            if transfer.etag:
                conditions["If-None-Match"] = transfer.etag
            if transfer.last_modified:
                conditions["If-Modified-Since"] = transfer.last_modified
            again, _body = fetch(transfer.url, cookie, accept_encoding, conditions)
            weight.revalidations.append(again)
    return weight


def measure_chromium(
    base: str, path: str, cookie: str, executable: str = "/usr/bin/chromium"
) -> dict[str, object] | None:
    """Cross-check in headless Chromium: bytes on the wire (CDP ``encodedDataLength``, headers
    included) of a first visit and of a second visit with the cache kept; None without Chromium.

    Chromium chooses its own encodings (it may take zstd for static files where this module's
    client asks for br), so its total differs a little from :func:`measure`.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(executable).exists():
        return None
    name, _eq, value = cookie.partition("=")
    result: dict[str, object] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            context = browser.new_context(user_agent=USER_AGENT)
            context.add_cookies([{"name": name, "value": value, "url": base + "/"}])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            sizes: dict[str, int] = {}
            urls: dict[str, str] = {}
            cdp.on(
                "Network.requestWillBeSent",
                lambda e: urls.update({e["requestId"]: e["request"]["url"]}),
            )
            cdp.on(
                "Network.loadingFinished",
                lambda e: sizes.update({e["requestId"]: int(e["encodedDataLength"])}),
            )
            for visit in ("cold", "warm"):
                sizes.clear()
                urls.clear()
                page.goto(urljoin(base, path), wait_until="networkidle")
                on_wire = {urls.get(k, k): v for k, v in sizes.items() if v}
                result[visit] = {"bytes": sum(on_wire.values()), "requests": on_wire}
        finally:
            browser.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Cold and warm transfer size of one page.")
    parser.add_argument("base", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("path", nargs="?", default="/")
    parser.add_argument("--cookie", help="Cookie header value of a logged-in session")
    parser.add_argument("--accept-encoding", default="br, gzip")
    parser.add_argument("--chromium", action="store_true", help="also measure in Chromium")
    args = parser.parse_args()
    weight = measure(args.base, args.path, args.cookie, args.accept_encoding)
    print(json.dumps(weight.as_dict(), indent=2))
    if args.chromium and args.cookie:
        print(json.dumps(measure_chromium(args.base, args.path, args.cookie), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
