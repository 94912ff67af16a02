"""How long the web client takes to render message text, in headless Chromium.

    python bench/markdown.py                 # pages of 50 and 200 messages, 20 rounds each
    python bench/markdown.py --json build/markdown.json

The page imports `js/ui/markdown.js` (served from amityvox/web on a loopback port) and
renders a history page of mixed messages: plain lines, bold/italic/links, mentions and
timestamps, spoilers, quotes and lists, and one in five with a highlighted code block.
"First render" parses and sanitizes every message (what a history page costs when it
arrives); "re-render" is what every later draw of the same page costs (the cached fragments
cloned and their names, times and spoilers filled in). Figures are medians in milliseconds
for the whole page, and per message.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import statistics
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

WEB = Path(__file__).resolve().parents[1] / "amityvox" / "web"
CHROMIUM = "/usr/bin/chromium"

# Runs in the page: builds `size` distinct messages per round and times both renders.
PAGE_SCRIPT = """async ([size, rounds]) => {
  const md = await import("/js/ui/markdown.js");
  await md.loadLanguage("python");
  const id = (n) => String(n).padStart(26, "0");
  const ctx = {
    user: () => ({ name: "someone", me: false }), role: () => null, channel: () => "general", revealed: () => false,
  };
  const kinds = [
    (i) => `just a plain line of chat number ${i}, nothing special in it at all`,
    (i) => `**bold ${i}** and *italic* with a [link](https://example.com/${i}) and \\`code\\``,
    (i) => `<@${id(i)}> look at <#${id(i + 1)}> before <t:${1700000000 + i}:R> @here`,
    (i) => `> quoted ${i}\\n- one\\n- two ||spoiler ${i}||`,
    (i) => "```python\\ndef f" + i + "(x):\\n    return [y * 2 for y in range(x) if y % 3]\\n```",
  ];
  const first = [];
  const again = [];
  for (let r = 0; r < rounds; r++) {
    const texts = Array.from({ length: size }, (_, i) => kinds[i % kinds.length](r * 100000 + i));
    const box = document.createElement("div");
    let t = performance.now();
    for (const text of texts) box.append(md.renderMarkdown(text, ctx));
    first.push(performance.now() - t);
    box.replaceChildren();
    t = performance.now();
    for (const text of texts) box.append(md.renderMarkdown(text, ctx));
    again.push(performance.now() - t);
  }
  return { first, again };
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(WEB)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def main(sizes: list[int], rounds: int) -> dict[str, Any]:
    server, url = _serve()
    results: dict[str, Any] = {}
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = await browser.new_page()
            await page.goto(url + "/favicon.svg")
            for size in sizes:
                data = await page.evaluate(PAGE_SCRIPT, [size, rounds])
                first, again = statistics.median(data["first"]), statistics.median(data["again"])
                results[str(size)] = {
                    "first_ms": round(first, 2),
                    "first_per_message_ms": round(first / size, 3),
                    "rerender_ms": round(again, 2),
                    "rerender_per_message_ms": round(again / size, 3),
                }
                print(
                    f"{size:4d} messages: first render {first:7.2f} ms ({first / size:.3f}/msg), "
                    f"re-render {again:6.2f} ms ({again / size:.3f}/msg)"
                )
            await browser.close()
    finally:
        server.shutdown()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out = asyncio.run(main(args.sizes, args.rounds))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
