"""A representative subset of the hostile strings, looked at in Chromium: no dialog opens and no
injected element exists, even with the Content-Security-Policy switched off (so escaping alone is
what is tested); with the policy on, no page breaks it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.conftest import HostileApp
from tests.security.hostile import HOSTILE
from tests.security.hostile_rounds import Tally, run_rounds

#: script tags, handlers, attribute break-outs, javascript: and data: links, SVG, mXSS, raw-text
#: break-outs, code fences, template syntax, bidi controls
SUBSET = [0, 1, 2, 4, 6, 10, 12, 13, 16, 22]

INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('[data-hostile], hostile-el, svg, math, iframe, object, embed, img, style, base, script:not([src])'))
    found.push(el.tagName.toLowerCase());
  for (const el of document.querySelectorAll('*'))
    for (const attr of el.attributes)
      if (attr.name.startsWith('on') || /^\\s*(javascript|data):/i.test(attr.value) && ['href', 'src', 'action', 'formaction'].includes(attr.name))
        found.push(el.tagName.toLowerCase() + '[' + attr.name + ']');
  return found;
}"""


@pytest.fixture
def served(hostile_sqlite_app: HostileApp) -> Iterator[tuple[HostileApp, str]]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, hostile_sqlite_app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield hostile_sqlite_app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _visit(browser: Any, base: str, tally: Tally, *, bypass_csp: bool) -> tuple[list[str], list[str], int]:
    dialogs: list[str] = []
    findings: list[str] = []
    visited = 0
    by_client: dict[int, tuple[Any, list[str]]] = {}
    for client, url in tally.browser_pages:
        urls = by_client.setdefault(id(client), (client, []))[1]
        if url not in urls:
            urls.append(url)
    for client, urls in by_client.values():
        context = browser.new_context(base_url=base, bypass_csp=bypass_csp)
        context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": base}])
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
        page.on("console", lambda message: findings.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        for url in urls:
            response = page.goto(url, wait_until="load")
            assert response is not None and response.ok, (url, response and response.status)
            page.wait_for_timeout(20)  # handlers of failed loads (img onerror) fire after load
            findings += [f"{url}: injected {element}" for element in page.evaluate(INJECTED)]
            visited += 1
        context.close()
    return dialogs, findings, visited


def test_hostile_strings_run_nothing_in_chromium(browser: Any, served: tuple[HostileApp, str]) -> None:
    hostile, base = served
    visited = 0
    for index in SUBSET:  # each string's pages right after its round, while they still show it
        tally = run_rounds(hostile.app, hostile.admin, hostile.grader, [index])
        assert not tally.problems, "\n".join(tally.problems[:20])
        dialogs, findings, count = _visit(browser, base, tally, bypass_csp=True)
        assert not dialogs and not findings, "\n".join(dialogs + findings)
        visited += count
    dialogs, violations, count = _visit(browser, base, tally, bypass_csp=False)
    assert not dialogs and not violations, "\n".join(dialogs + violations)
    print(f"\n{len(SUBSET)} of {len(HOSTILE)} hostile strings on {visited} pages in Chromium with the policy off: "
          f"no dialog, no injected element; {count} pages with the policy on: no violation")
