"""PNG screenshots of the public site's main pages, for the documentation and for review.

Run it against a server that holds the coded corpus, e.g.

    make run                                   # or: manage.py runserver 127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py    # -> docs/screenshots/*.png

It drives Debian's Chromium (apt-get install chromium) through Playwright; no browser is
downloaded. The pages are full-length, 1280 pixels wide. Which assumption, claim and actor
to show is found by browsing, as a visitor would: the assumption with the most evidence in
the matrix, the first claim filed under it, and the actor with the most aliases in Arabic
script. Console errors (a Content-Security-Policy violation, a failed load, a script error)
are printed, and make the script exit with status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WIDTH = 1280
HEIGHT = 900
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000", help="the running site")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    parser.add_argument("--assumption", help="assumption code for the filtered claim list (default: found)")
    parser.add_argument("--actor", help="actor key for the actor page (default: found)")
    return parser.parse_args(argv)


class Site:
    def __init__(self, page: Page, base_url: str, out: Path) -> None:
        self.page = page
        self.base = base_url.rstrip("/") + "/"
        self.out = out
        self.problems: list[str] = []
        self.written: list[Path] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught JavaScript error: {error}"))

    def _console(self, message) -> None:
        url = message.location.get("url", "")
        # Chromium asks for /favicon.ico whether or not the site has one.
        if message.type == "error" and urlsplit(url).path != "/favicon.ico":
            self.problems.append(f"{self.page.url}: {message.text}")

    def open(self, path: str) -> None:
        response = self.page.goto(urljoin(self.base, path.lstrip("/")), wait_until="networkidle")
        if response is None or not response.ok:
            raise SystemExit(f"{path}: HTTP {response.status if response else 'no response'}")

    def shoot(self, name: str) -> None:
        target = self.out / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        self.written.append(target)
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  <- {self.page.url}")

    def busiest_assumption(self) -> str:
        """The assumption whose column in the evidence matrix counts the most claims."""
        self.open("/matrix/")
        totals = self.page.evaluate(
            """() => {
                const heads = [...document.querySelectorAll('table.matrix thead th')].slice(1);
                const codes = heads.map(th => th.innerText.trim());
                const sums = codes.map(() => 0);
                for (const row of document.querySelectorAll('table.matrix tbody tr')) {
                    row.querySelectorAll('td').forEach((td, i) => {
                        const total = td.querySelector('.cell-total');
                        if (total && i < sums.length) sums[i] += parseInt(total.innerText, 10) || 0;
                    });
                }
                return codes.map((code, i) => [code, sums[i]]);
            }"""
        )
        if not totals:
            raise SystemExit("The evidence matrix lists no assumption: is the corpus loaded?")
        return max(totals, key=lambda item: item[1])[0]

    def actor_with_arabic_aliases(self) -> str:
        """The actor with the most aliases in Arabic script (Arabic or Persian), from the actor list."""
        best, best_count = None, 0
        path = "/actors/"
        while path:
            self.open(path)
            for row in self.page.locator("table.list tbody tr").all():
                aliases = row.locator("span.alias").all_inner_texts()
                count = sum(1 for alias in aliases if ARABIC_SCRIPT.search(alias))
                if count > best_count:
                    href = row.locator("a.actor-link").get_attribute("href")
                    best, best_count = href.rstrip("/").rsplit("/", 1)[-1], count
            following = self.page.locator("nav.pager a[rel=next]")
            path = following.get_attribute("href") if following.count() else None
            if path and path.startswith("?"):
                path = "/actors/" + path
        if best is None:
            raise SystemExit("No actor has an alias in Arabic script: is the corpus loaded?")
        return best


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"No Chromium at {CHROMIUM}: apt-get install -y --no-install-recommends chromium")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
        site = Site(context.new_page(), args.base_url, args.out)

        site.open("/")
        site.shoot("01-home")

        code = args.assumption or site.busiest_assumption()
        site.open(f"/claims/?assumption={code}")
        site.shoot("02-claims-by-assumption")

        first = site.page.locator("article.claim p.statement a").first
        if not first.count():
            raise SystemExit(f"No claim is filed under {code}.")
        site.open(first.get_attribute("href"))
        site.shoot("03-claim")

        site.open(f"/actors/{args.actor or site.actor_with_arabic_aliases()}/")
        site.shoot("04-actor-arabic-aliases")

        site.open("/events/")
        site.shoot("05-events-timeline")

        site.open("/matrix/")
        site.shoot("06-evidence-matrix")

        site.open("/actors/network/")
        site.shoot("07-actor-network")

        context.close()
        browser.close()

    if site.problems:
        print("\nThe browser reported problems:", *site.problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
