#!/usr/bin/python3
"""Opens the report site in headless Chromium, offline (issue 10).

Builds the site from the fixture result files (make_fixture.py: failed run, partial
file, placements, marks) and from the smoke results in results/smoke when there are any
(NEBENCH_SMOKE_RESULTS names other folders, ':'-separated), then loads every page from the file
system in `chromium --headless --no-sandbox` with name resolution and the proxy
pointed at nothing, so that any network use fails. Each page is checked through a
copy with two injected scripts: one at the top of <head> records every error event
(script errors and failed resource loads) and console.error call, one on window load
checks every <img> (complete and naturalWidth > 0) and every src/href (file: or
in-page only), and on the index drives the paper and verdict filters; the verdict is
written into the DOM and read back with --dump-dom. Chromium's own log
(--enable-logging=stderr) must hold no CONSOLE line: the site logs nothing, so any
console output is a defect. A screenshot of the index at 1366 x 900 is saved as
$NEBENCH_ARTIFACT_DIR/site-index.png (default <repo>/build/test-artifacts).

Chromium is required: without it the test fails (CI installs Debian's `chromium`;
NEBENCH_CHROMIUM names another binary).

Run: /usr/bin/python3 tests/reports/test_site_chromium.py
"""

import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(REPO, "reports", "build.py")
sys.path.insert(0, HERE)

import make_fixture  # noqa: E402

CHECK_ID = "nebench-check"
CHECK_SUFFIX = ".chromecheck.html"
# Network off: every host name resolves to nothing and every proxied request goes to
# a closed local port.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>"]
# Page load takes the virtual time it needs; this only bounds timers the page might set.
VIRTUAL_MS = "5000"

# Top of <head>: record errors before any of the page's own scripts run.
HEAD_SCRIPT = """<script>
window.__nebenchErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__nebenchErrors.push(t && t !== window && (t.src || t.href)
    ? "failed to load " + (t.src || t.href) : "script error: " + e.message);
}, true);
window.addEventListener("unhandledrejection", function (e) {
  window.__nebenchErrors.push("unhandled rejection: " + e.reason);
});
(function () {
  var orig = console.error;
  console.error = function () {
    window.__nebenchErrors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return orig.apply(console, arguments);
  };
})();
</script>"""

# End of <body>: on load, check images and links, drive the index filters.
TAIL_SCRIPT = """<script>
window.addEventListener("load", function () {
  var r = {title: document.title, images: 0, broken: [], external: [], filter: null};
  Array.prototype.forEach.call(document.images, function (img) {
    r.images += 1;
    if (!(img.complete && img.naturalWidth > 0)) r.broken.push(img.getAttribute("src"));
  });
  document.querySelectorAll("[src], [href]").forEach(function (el) {
    var url = el.src || el.href;
    if (url && !/^(file:|about:|#|javascript:)/.test(url)) r.external.push(url);
  });
  var paper = document.getElementById("f-paper"), verdict = document.getElementById("f-verdict");
  if (paper && verdict && typeof applyFilter === "function") {
    var shown = function (el) { return el.getClientRects().length > 0; };
    var cards = Array.prototype.slice.call(document.querySelectorAll("article.spec-card"));
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.claim"));
    r.filter = {papers: {}, verdicts: {}};
    Array.prototype.forEach.call(paper.options, function (o) {
      if (!o.value) return;
      paper.value = o.value; verdict.value = ""; applyFilter();
      r.filter.papers[o.value] = {
        shown: cards.filter(shown).length,
        expected: cards.filter(function (c) { return c.getAttribute("data-paper") === o.value; }).length,
        wrong: cards.filter(function (c) { return shown(c) && c.getAttribute("data-paper") !== o.value; }).length};
    });
    Array.prototype.forEach.call(verdict.options, function (o) {
      if (!o.value) return;
      paper.value = ""; verdict.value = o.value; applyFilter();
      r.filter.verdicts[o.value] = {
        shown: rows.filter(shown).length,
        expected: rows.filter(function (c) { return c.getAttribute("data-verdict") === o.value; }).length,
        wrong: rows.filter(function (c) { return shown(c) && c.getAttribute("data-verdict") !== o.value; }).length};
    });
    paper.value = ""; verdict.value = ""; applyFilter();
    r.filter.all = {cards: cards.filter(shown).length, total: cards.length};
  }
  r.errors = window.__nebenchErrors;
  var pre = document.createElement("pre");
  pre.id = "%s";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>""" % CHECK_ID


def find_chromium():
    """The Chromium binary, or None."""
    named = os.environ.get("NEBENCH_CHROMIUM")
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(binary, args, url, timeout=180):
    """One headless Chromium process with a fresh profile; returns (rc, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="nebench_chromium_") as profile:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--no-default-browser-check", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", *OFFLINE, *args, url]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr


def console_lines(stderr):
    """Chromium's log lines of console messages (console.log/error, uncaught errors)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def instrument(page_html):
    """The page with HEAD_SCRIPT first in <head> and TAIL_SCRIPT last in <body>."""
    head = re.search(r"<head[^>]*>", page_html, re.I)
    body = page_html.lower().rfind("</body>")
    if not head or body < 0:
        raise ValueError("page has no <head> or no </body>")
    page_html = page_html[: head.end()] + HEAD_SCRIPT + page_html[head.end():]
    body = page_html.lower().rfind("</body>")
    return page_html[:body] + TAIL_SCRIPT + page_html[body:]


def check_page(binary, path):
    """Loads an instrumented copy of `path` (next to it, so relative links hold) and returns
    {"report": dict or None, "console": [lines], "rc": int, "stderr": str}."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    copy = path[: -len(".html")] + CHECK_SUFFIX
    with open(copy, "w", encoding="utf-8") as fh:
        fh.write(instrument(text))
    try:
        rc, out, err = run_chromium(binary, [f"--virtual-time-budget={VIRTUAL_MS}",
                                             "--dump-dom"], "file://" + copy)
    finally:
        os.remove(copy)
    m = re.search(r'<pre id="%s">(.*?)</pre>' % CHECK_ID, out, re.S)
    report = json.loads(html.unescape(m.group(1))) if m else None
    return {"report": report, "console": console_lines(err), "rc": rc, "stderr": err}


def artifact_dir():
    return os.environ.get("NEBENCH_ARTIFACT_DIR") or os.path.join(REPO, "build", "test-artifacts")


def smoke_results():
    """Folders of smoke results that hold result files: NEBENCH_SMOKE_RESULTS (several
    separated by ':'), default results/smoke."""
    named = os.environ.get("NEBENCH_SMOKE_RESULTS") or os.path.join(REPO, "results", "smoke")
    return [d for d in named.split(os.pathsep)
            if d and glob.glob(os.path.join(d, "**", "*.h5"), recursive=True)]


class SiteInChromiumTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = find_chromium()
        cls.tmp = tempfile.mkdtemp(prefix="nebench_chromium_site_")
        if cls.binary is None:
            return
        fixtures = os.path.join(cls.tmp, "results", "fixture")
        make_fixture.write_fixtures(fixtures)
        make_fixture.write_placement_fixture(fixtures)
        make_fixture.write_c_fixture(fixtures)
        cls.sources = [fixtures] + smoke_results()
        cls.site = os.path.join(cls.tmp, "site")
        args = [sys.executable, BUILD, "--out", cls.site]
        for s in cls.sources:
            args += ["--results", s]
        cls.build = subprocess.run(args, capture_output=True, text=True, timeout=900)
        cls.pages = sorted(glob.glob(os.path.join(cls.site, "*.html")))
        cls.checked = {os.path.basename(p): check_page(cls.binary, p) for p in cls.pages}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertIsNotNone(
            self.binary, "Chromium is not installed: this test needs Debian's `chromium` "
            "package (apt-get install -y chromium; scripts/install-deps.sh installs it) or "
            "NEBENCH_CHROMIUM naming a Chrome/Chromium binary")
        self.assertEqual(self.build.returncode, 0, self.build.stderr)

    def test_every_page_loads_with_no_broken_image_and_no_console_error(self):
        names = set(self.checked)
        self.assertIn("index.html", names)
        # Fixture pages; plus one page per smoke result file.
        for page in ("spectrum__fixture_rho.html", "cne__fixture_partial.html",
                     "spectrum__fixture_placement.html", "cne__fixture_c.html"):
            self.assertIn(page, names)
        images = 0
        for name, c in sorted(self.checked.items()):
            with self.subTest(page=name):
                self.assertIsNotNone(c["report"], f"{name} did not load (chromium rc {c['rc']}):\n"
                                     + c["stderr"][-3000:])
                r = c["report"]
                self.assertTrue(r["title"], name)
                self.assertEqual(r["broken"], [], f"{name}: broken images")
                self.assertEqual(r["errors"], [], f"{name}: errors in the page")
                self.assertEqual(c["console"], [], f"{name}: console output")
                self.assertEqual(r["external"], [], f"{name}: links off the file system")
                images += r["images"]
        spec_pages = [n for n in names if n != "index.html"]
        with_images = [n for n in spec_pages if (self.checked[n]["report"] or {}).get("images")]
        # Every spec page with an ok run has figures; only the partial fixture may lack them.
        self.assertGreaterEqual(len(with_images), len(spec_pages) - 1, with_images)
        self.assertGreater(images, 20)
        print(f"\nchromium: {len(self.checked)} pages loaded, {images} images checked "
              f"(sources: {', '.join(self.sources)})", file=sys.stderr)

    def test_index_filters_by_paper_and_verdict_in_the_browser(self):
        f = self.checked["index.html"]["report"]["filter"]
        self.assertIsNotNone(f, "index has no working filter")
        self.assertIn("spectrum", f["papers"])
        self.assertIn("cne", f["papers"])
        for paper, c in f["papers"].items():
            self.assertGreater(c["expected"], 0, paper)
            self.assertEqual((c["shown"], c["wrong"]), (c["expected"], 0), paper)
        for verdict in ("pass", "fail", "inconclusive"):
            c = f["verdicts"][verdict]
            self.assertGreater(c["expected"], 0, verdict)  # the fixture has each verdict
            self.assertEqual((c["shown"], c["wrong"]), (c["expected"], 0), verdict)
        self.assertEqual(f["all"]["cards"], f["all"]["total"])

    def test_screenshot_of_the_index(self):
        out = os.path.join(artifact_dir(), "site-index.png")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if os.path.exists(out):
            os.remove(out)
        rc, _, err = run_chromium(self.binary, ["--window-size=1366,900", "--hide-scrollbars",
                                                "--run-all-compositor-stages-before-draw",
                                                f"--virtual-time-budget={VIRTUAL_MS}",
                                                f"--screenshot={out}"],
                                  "file://" + os.path.join(self.site, "index.html"))
        self.assertEqual(rc, 0, err[-3000:])
        self.assertTrue(os.path.isfile(out), err[-3000:])
        with open(out, "rb") as fh:
            head = fh.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        self.assertEqual((width, height), (1366, 900))
        self.assertGreater(os.path.getsize(out), 20_000)  # not a blank page
        print(f"\nchromium: screenshot {out}", file=sys.stderr)

    def test_the_checks_catch_a_broken_image_and_a_console_error(self):
        """The same checks on a deliberately broken copy of a spec page must fail."""
        page = os.path.join(self.site, "spectrum__fixture_rho.html")
        with open(page, encoding="utf-8") as fh:
            text = fh.read()
        first = re.search(r'<img src="([^"]+)"', text).group(1)
        text = text.replace(f'src="{first}"', 'src="img/no_such_figure.png"', 1)
        text = text.replace("</main>", "<script>console.error('deliberate');</script></main>")
        broken = os.path.join(self.site, "broken_copy.html")
        with open(broken, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            c = check_page(self.binary, broken)
        finally:
            os.remove(broken)
        self.assertIsNotNone(c["report"])
        self.assertEqual(c["report"]["broken"], ["img/no_such_figure.png"])
        self.assertTrue(any("no_such_figure.png" in e for e in c["report"]["errors"]))
        self.assertTrue(any("deliberate" in e for e in c["report"]["errors"]))
        self.assertTrue(any("deliberate" in line for line in c["console"]), c["console"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
