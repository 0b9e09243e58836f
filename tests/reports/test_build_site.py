#!/usr/bin/python3
"""Tests of reports/build.py against the fixture result files (make_fixture.py).

Run: /usr/bin/python3 tests/reports/test_build_site.py
"""

import html
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(REPO, "reports", "build.py")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "reports"))

import build  # noqa: E402
import make_fixture  # noqa: E402


class LinkParser(html.parser.HTMLParser):
    """Collects img src, a href and link href of one page."""

    def __init__(self):
        super().__init__()
        self.imgs, self.links, self.styles, self.scripts = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src"))
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "link":
            self.styles.append(a.get("href"))
        elif tag == "script":
            self.scripts.append(a.get("src"))


def parse(path):
    p = LinkParser()
    with open(path, encoding="utf-8") as fh:
        p.feed(fh.read())
    return p


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def run_build(*args):
    return subprocess.run([sys.executable, BUILD, *args], capture_output=True, text=True,
                          timeout=300)


# A minimal DOM for the dashboard's filter script: sections > cards > claim rows.
FILTER_HARNESS = r"""
const model = JSON.parse(process.argv[process.argv.length - 1]);
function el(attrs, children, sel) {
  return {attrs: attrs, style: {display: ""}, getAttribute: (k) => attrs[k],
          querySelectorAll: (q) => (q === sel ? children : [])};
}
const sections = model.sections.map((s) => el({"data-paper": s.paper}, s.cards.map((c) =>
  el({"data-paper": c.paper}, c.rows.map((v) => el({"data-verdict": v}, [], "")),
     "tr.claim")), "article.spec-card"));
const selects = {"f-paper": {value: ""}, "f-verdict": {value: ""}};
global.document = {getElementById: (id) => selects[id],
                   querySelectorAll: (q) => (q === "section.paper" ? sections : [])};
eval(model.script);
const out = [];
for (const [paper, verdict] of model.cases) {
  selects["f-paper"].value = paper; selects["f-verdict"].value = verdict;
  applyFilter();
  out.push(sections.map((s) => [s.style.display, s.querySelectorAll("article.spec-card").map(
    (c) => [c.style.display, c.querySelectorAll("tr.claim").map((r) => r.style.display)])]));
}
console.log(JSON.stringify(out));
"""


class BuildSiteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nebench_report_test_")
        cls.results = os.path.join(cls.tmp, "results", "smoke")
        cls.full, cls.partial = make_fixture.write_fixtures(cls.results)
        cls.site = os.path.join(cls.tmp, "site")
        cls.proc = run_build("--results", cls.results, "--out", cls.site)
        cls.pages = sorted(os.path.join(cls.site, p) for p in os.listdir(cls.site)
                           if p.endswith(".html")) if os.path.isdir(cls.site) else []

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def stored_claims(self):
        with h5py.File(self.full, "r") as f:
            return {cid: dict(f["claims"][cid].attrs) for cid in f["claims"]}

    def test_fixture_has_what_the_layout_promises(self):
        claims = self.stored_claims()
        self.assertEqual(len({c["verdict"] for c in claims.values()}), 3)
        with h5py.File(self.full, "r") as f:
            self.assertEqual(f.attrs["layout_version"], 1)
            ids = list(f["summary/run_id"].asstr()[()])
            self.assertEqual(sorted(ids), sorted(f["runs"].keys()))
            status = list(f["summary/status"].asstr()[()])
            self.assertEqual(status.count("failed"), 1)
            self.assertEqual(f["graph/indices"].shape, (f["dataset"].attrs["n"], 15))
            names = json.loads(f["dataset"].attrs["class_names_json"])
            self.assertEqual(names, make_fixture.CLASS_NAMES)

    def test_index_lists_every_claim_with_its_verdict(self):
        index = read(os.path.join(self.site, "index.html"))
        for cid, a in self.stored_claims().items():
            self.assertIn(html.escape(cid), index)
            # The row of this claim carries the stored verdict as badge and filter key.
            row = re.search(r'<tr class="claim" data-verdict="([a-z]+)">\s*<td><code>'
                            + re.escape(html.escape(cid)) + r"</code>", index)
            self.assertIsNotNone(row, cid)
            self.assertEqual(row.group(1), a["verdict"])
            self.assertIn(html.escape(a["explanation"]), index)
        for verdict in ("pass", "fail", "inconclusive"):
            self.assertIn(f'class="badge verdict-{verdict}">{verdict}</span>', index)
            self.assertIn(f"1 {verdict}", index)  # the fixture has one claim of each
        self.assertIn('id="f-paper"', index)
        self.assertIn('id="f-verdict"', index)

    def test_index_shows_file_status_and_profile(self):
        index = read(os.path.join(self.site, "index.html"))
        self.assertIn('class="badge status-partial">partial</span>', index)
        self.assertIn('class="badge status-complete">complete</span>', index)
        self.assertIn("profile <b>smoke</b>", index)
        # The failed run and the start of its reason are on the dashboard card.
        self.assertIn("<code>fa2@seed=0</code> (failed: NumericalError: gradient norm", index)
        # Papers appear in the fixed dashboard order: spectrum before cne.
        self.assertLess(index.index('data-paper="spectrum"'), index.index('data-paper="cne"'))

    def test_spec_pages_exist(self):
        names = {os.path.basename(p) for p in self.pages}
        self.assertEqual(names, {"index.html", "spectrum__fixture_rho.html",
                                 "cne__fixture_partial.html"})

    def test_every_image_and_local_link_exists(self):
        checked_imgs = 0
        for page in self.pages:
            p = parse(page)
            self.assertTrue(p.styles, page)
            for ref in p.imgs + p.links + p.styles:
                self.assertIsNotNone(ref, page)
                parts = urllib.parse.urlsplit(ref)
                # Offline site: no scheme, no host, no absolute paths.
                self.assertEqual(parts.scheme, "", f"{page}: {ref}")
                self.assertEqual(parts.netloc, "", f"{page}: {ref}")
                self.assertFalse(parts.path.startswith("/"), f"{page}: {ref}")
                if parts.path:
                    target = os.path.join(os.path.dirname(page), urllib.parse.unquote(parts.path))
                    self.assertTrue(os.path.isfile(target), f"{page}: {ref} -> {target}")
            for src in p.imgs:
                self.assertTrue(src.startswith("img/") and src.endswith(".png"), src)
                checked_imgs += 1
            self.assertEqual(p.scripts, [None] * len(p.scripts), "only inline scripts")
        self.assertGreater(checked_imgs, 10)

    def test_spec_page_content(self):
        page = read(os.path.join(self.site, "spectrum__fixture_rho.html"))
        self.assertIn(html.escape(make_fixture.FAILED_ERROR), page)
        for name in make_fixture.CLASS_NAMES:
            self.assertIn(html.escape(name), page)  # legend
        with h5py.File(self.full, "r") as f:
            run_ids = list(f["runs"].keys())
            recall = f["runs/tsne@rho=1,seed=0/metrics"].attrs["knn_recall@15"]
            commit = f.attrs["git_commit"]
            sha = f["dataset"].attrs["sha256"]
        for rid in run_ids:
            self.assertIn(html.escape(rid), page)
        self.assertIn(build.fmt_number(float(recall)), page)
        self.assertIn(commit, page)
        self.assertIn(sha, page)
        self.assertIn("fixture-host", page)
        p = parse(os.path.join(self.site, "spectrum__fixture_rho.html"))
        # 5 metrics x tsne over rho, 5 embeddings (the failed run has none), a trace
        # figure per method type with traces.
        self.assertEqual(sum("/metric_tsne_rho_" in s for s in p.imgs), 5)
        self.assertEqual(sum("/emb_" in s for s in p.imgs), 5)
        self.assertEqual(sum(s.endswith("/traces_tsne.png") for s in p.imgs), 1)
        self.assertFalse([s for s in p.imgs if s.endswith("/traces.png")])

    def test_index_and_spec_page_show_each_claims_reference(self):
        """The reference column: what the spec's check holds the claim to, from the stored
        check (the fixture's within claim: 0.2 +- 0.05)."""
        index = read(os.path.join(self.site, "index.html"))
        page = read(os.path.join(self.site, "spectrum__fixture_rho.html"))
        for text in ("knn_recall@15 = 0.2 +- 0.05",
                     "knn_recall@15 decreasing over rho",
                     "knn_recall@15: tsne(rho=4) &gt; tsne(rho=1) + 0"):
            self.assertIn(text, index)
            self.assertIn(text, page)
        self.assertIn("reference (spec)", index)

    def test_spec_page_run_times(self):
        page = read(os.path.join(self.site, "spectrum__fixture_rho.html"))
        with h5py.File(self.full, "r") as f:
            secs = {rid: float(f["runs"][rid].attrs["wall_seconds"]) for rid in f["runs"]}
            graph = float(f["graph"].attrs["build_seconds"])
        self.assertIn("<h2>Run times</h2>", page)
        self.assertIn(f"total wall time {build.fmt_number(sum(secs.values()))} s", page)
        self.assertIn(f"kNN graph {build.fmt_number(graph)} s", page)
        tsne = [v for k, v in secs.items() if k.startswith("tsne@")]
        row = re.search(r"<tr><td><code>tsne</code></td>(.*?)</tr>", page).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        self.assertEqual(cells, ["4", "0", build.fmt_number(sum(tsne) / 4),
                                 build.fmt_number(max(tsne)), build.fmt_number(sum(tsne))])
        fa2 = re.search(r"<tr><td><code>fa2</code></td>(.*?)</tr>", page).group(1)
        self.assertEqual(re.findall(r'<td class="num">([^<]*)</td>', fa2)[:2], ["1", "1"])

    def test_partial_page_says_partial(self):
        page = read(os.path.join(self.site, "cne__fixture_partial.html"))
        self.assertIn("partial", page)
        self.assertIn("No claims recorded", page)

    def test_rebuild_reuses_figures_and_drops_removed_files(self):
        site = os.path.join(self.tmp, "site_rebuild")
        shutil.copytree(self.site, site, copy_function=shutil.copy2)
        png = os.path.join(site, "img", "spectrum__fixture_rho", "traces_tsne.png")
        before = os.stat(png).st_mtime_ns
        proc = run_build("--results", self.results, "--out", site, "--jobs", "1")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(os.stat(png).st_mtime_ns, before, "unchanged file: figures reused")
        # Only the spectrum folder now: the cne page and its figures must go.
        proc = run_build("--results", os.path.join(self.results, "spectrum"), "--out", site)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(os.stat(png).st_mtime_ns, before)
        self.assertFalse(os.path.exists(os.path.join(site, "cne__fixture_partial.html")))
        self.assertFalse(os.path.exists(os.path.join(site, "img", "cne__fixture_partial")))
        self.assertNotIn("cne/fixture_partial", read(os.path.join(site, "index.html")))
        # A changed result file is drawn again.
        os.utime(self.full, ns=(before + 10**9, before + 10**9))
        proc = run_build("--results", self.results, "--out", site)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotEqual(os.stat(png).st_mtime_ns, before)

    def test_same_spec_from_two_results_dirs_gets_two_pages(self):
        other = os.path.join(self.tmp, "results_quick")
        make_fixture.write_fixture(os.path.join(other, "spectrum", "fixture_rho.h5"))
        site = os.path.join(self.tmp, "site_two")
        proc = run_build("--results", self.results, "--results", other, "--out", site)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        names = sorted(p for p in os.listdir(site) if p.endswith(".html"))
        self.assertEqual(len(names), 4, names)
        self.assertIn("spectrum__fixture_rho.html", names)

    def test_run_cut_off_while_written_is_incomplete(self):
        results = os.path.join(self.tmp, "results_cut")
        path = os.path.join(results, "spectrum", "fixture_rho.h5")
        make_fixture.write_fixture(path)
        with h5py.File(path, "a") as f:  # nebench's store marks finished runs "complete"
            for rid in f["runs"]:
                if rid != "tsne@rho=4,seed=1":
                    f["runs"][rid].attrs["complete"] = 1
        site = os.path.join(self.tmp, "site_cut")
        proc = run_build("--results", results, "--out", site)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        page = read(os.path.join(site, "spectrum__fixture_rho.html"))
        self.assertIn("runs/tsne@rho=4,seed=1 was not completely written", page)
        self.assertIn('status-unknown">incomplete</span>', page)
        imgs = parse(os.path.join(site, "spectrum__fixture_rho.html")).imgs
        self.assertEqual(sum("/emb_" in s for s in imgs), 4)

    def test_missing_results_dir_fails_clearly(self):
        missing = os.path.join(self.tmp, "no_such_dir")
        proc = run_build("--results", missing, "--out", os.path.join(self.tmp, "site_x"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("does not exist", proc.stderr)
        self.assertIn(missing, proc.stderr)

    def test_refuses_foreign_output_dir(self):
        foreign = os.path.join(self.tmp, "foreign")
        os.makedirs(foreign)
        with open(os.path.join(foreign, "keep.txt"), "w") as fh:
            fh.write("not ours")
        proc = run_build("--results", self.results, "--out", foreign)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("did not create", proc.stderr)
        self.assertTrue(os.path.exists(os.path.join(foreign, "keep.txt")))

    def test_tmp_files_are_skipped(self):
        results = os.path.join(self.tmp, "results_tmp")
        make_fixture.write_fixture(os.path.join(results, "spectrum", "fixture_rho.h5.tmp"))
        site = os.path.join(self.tmp, "site_tmp")
        proc = run_build("--results", results, "--out", site)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([p for p in os.listdir(site) if p.endswith(".html")], ["index.html"])

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_filter_by_paper_and_verdict(self):
        index = read(os.path.join(self.site, "index.html"))
        script = re.search(r"<script>(.*?)</script>", index, re.S).group(1)
        sections = []
        for sec in re.findall(r'<section class="paper" data-paper="(\w+)">(.*?)</section>',
                              index, re.S):
            cards = [{"paper": p, "rows": re.findall(r'<tr class="claim" data-verdict="(\w+)"', c)}
                     for p, c in re.findall(r'<article class="spec-card" data-paper="(\w+)">'
                                            r"(.*?)</article>", sec[1], re.S)]
            sections.append({"paper": sec[0], "cards": cards})
        self.assertEqual([s["paper"] for s in sections], ["spectrum", "cne"])
        self.assertEqual(sections[0]["cards"][0]["rows"], ["pass", "fail", "inconclusive"])
        cases = [["", ""], ["cne", ""], ["", "fail"], ["cne", "pass"]]
        model = {"script": script, "sections": sections, "cases": cases}
        proc = subprocess.run(["node", "-e", FILTER_HARNESS, json.dumps(model)],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        shown, hidden = "", "none"
        everything, only_cne, only_fail, nothing = json.loads(proc.stdout)
        self.assertEqual(everything, [[shown, [[shown, [shown] * 3]]], [shown, [[shown, []]]]])
        self.assertEqual(only_cne, [[hidden, [[hidden, [shown] * 3]]], [shown, [[shown, []]]]])
        # The partial cne file has no claims, so a verdict filter hides it and its paper.
        self.assertEqual(only_fail,
                         [[shown, [[shown, [hidden, shown, hidden]]]], [hidden, [[hidden, []]]]])
        self.assertEqual(nothing,
                         [[hidden, [[hidden, [shown, hidden, hidden]]]], [hidden, [[hidden, []]]]])


class PlacementSiteTest(unittest.TestCase):
    """UMAP and LE placed on the rho axis by dcor_to_<run> (make_fixture.placement_design)."""

    PAGE = "spectrum__fixture_placement.html"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nebench_report_placement_")
        results = os.path.join(cls.tmp, "results")
        make_fixture.write_placement_fixture(results)
        cls.site = os.path.join(cls.tmp, "site")
        cls.proc = run_build("--results", results, "--out", cls.site, "--jobs", "1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.page = read(os.path.join(self.site, self.PAGE))
        self.imgs = parse(os.path.join(self.site, self.PAGE)).imgs

    def test_page_names_the_best_matching_rho(self):
        # The fixture's umap stand-in is the embedding at rho = 5, le the one at rho = 1000.
        self.assertIn("<li>umap (best rho = 4): distance correlation", self.page)
        self.assertIn("<li>le (best rho = 16): distance correlation", self.page)
        self.assertNotIn("fa2 (best", self.page)  # no dcor_to_fa2: stays a horizontal line

    def test_placement_figure_replaces_the_dcor_to_plots(self):
        src = "img/spectrum__fixture_placement/placement_tsne_rho.png"
        self.assertIn(src, self.imgs)
        self.assertTrue(os.path.isfile(os.path.join(self.site, src)))
        self.assertIn("img/spectrum__fixture_placement/metric_tsne_rho_knn_recall_15.png",
                      self.imgs)
        self.assertFalse([s for s in self.imgs if "dcor_to" in s])

    def test_caveat_only_where_the_claim_does_not_pass(self):
        shown = "<b>Why it may not hold:</b> "
        self.assertIn(shown + html.escape(make_fixture.LE_CAVEAT), self.page)  # verdict fail
        self.assertNotIn(shown + html.escape(make_fixture.UMAP_CAVEAT), self.page)  # pass
        self.assertEqual(self.page.count(shown), 1)
        self.assertIn("Mean dcor_to_le peaks at rho = 16, outside [1, 2].", self.page)


def make_run(name, params, seed, metrics=None):
    at = ",".join([f"{k}={v}" for k, v in params.items()] + [f"seed={seed}"])
    return build.Run(run_id=f"{name}@{at}", name=name, params=params, seed=seed, status="ok",
                     error="", wall_seconds=1.0, started_utc="", method_json="",
                     metrics=metrics or {}, has_embedding=False, trace_columns=[])


class FigureSink:
    """Stands in for ImageWriter: keeps the figures instead of writing PNGs."""

    def __init__(self):
        self.figs = {}

    def save(self, fig, stem):
        self.figs[stem] = fig
        return stem


class TraceGroupTest(unittest.TestCase):
    def test_one_figure_per_method_type(self):
        """t-SNE iterations and image-model epochs get separate figures."""
        import numpy as np
        tsne = make_run("tsne", {}, 0)
        tsne.method_json = json.dumps({"type": "tsne"})
        image = make_run("tsimcne", {}, 0)
        image.method_json = json.dumps({"type": "tsimcne", "epochs": [2, 1, 1]})
        other = make_run("simclr", {}, 0)
        other.method_json = json.dumps({"type": "tsimcne", "epochs": 4})
        traces = [(tsne, {"iteration": np.arange(3.0), "kl": np.ones(3)}),
                  (image, {"epoch": np.arange(1.0, 5.0), "loss": np.ones(4)}),
                  (other, {"epoch": np.arange(1.0, 5.0), "loss": np.ones(4)})]
        sink = FigureSink()
        out = build.plot_trace_groups(sink, traces)
        self.assertEqual(out, [{"src": "traces_tsne", "label": "tsne"},
                               {"src": "traces_tsimcne", "label": "tsimcne"}])
        self.assertEqual(len(sink.figs["traces_tsimcne"].axes[0].lines), 2)
        # A single method type keeps the one figure "traces".
        self.assertEqual(build.plot_trace_groups(FigureSink(), traces[1:]),
                         [{"src": "traces", "label": "tsimcne"}])


class NormsFigureTest(unittest.TestCase):
    """The norms figure of image-model runs (Draganov et al. 2025)."""

    def setUp(self):
        import numpy as np
        nan = float("nan")
        epoch = np.arange(1.0, 6.0)
        self.tsne = make_run("tsne", {}, 0)
        self.tsne.method_json = json.dumps({"type": "tsne"})
        self.traces = [(self.tsne, {"iteration": np.arange(3.0), "kl": np.ones(3),
                                    "norm_mean": np.ones(3)})]
        for c in (1, 3):
            run = make_run("simclr", {"c": c}, 0)
            run.method_json = json.dumps({"type": "tsimcne", "epochs": 5})
            self.traces.append((run, {
                "epoch": epoch, "loss": np.ones(5), "norm_mean": epoch / c,
                "norm_class0": epoch / c, "norm_class1": 2 * epoch / c,
                "knn_features": np.array([0.5, 0.6, nan, 0.7, nan])}))

    def test_norm_knn_and_class_panels(self):
        sink = FigureSink()
        out = build.plot_norms(sink, self.traces, ["shirt", "coat"])
        self.assertEqual(out["src"], "norms")
        fig = sink.figs["norms"]
        # norm_mean, knn_features, one class panel per image run; the t-SNE run has
        # no epochs and is left out.
        self.assertEqual(len(fig.axes), 4)
        titles = [ax.get_title() for ax in fig.axes]
        self.assertEqual(titles[:2], ["mean |z| (norm_mean)", "kNN accuracy of the features"])
        self.assertEqual(len(fig.axes[0].lines), 2)
        # The kNN line joins the evaluated epochs only.
        self.assertEqual(list(fig.axes[1].lines[0].get_xdata()), [1.0, 2.0, 4.0])
        self.assertEqual(list(fig.axes[1].lines[1].get_ydata()), [0.5, 0.6, 0.7])
        self.assertIn("simclr@c=3,seed=0", titles[3])
        self.assertEqual([ln.get_label() for ln in fig.axes[2].lines], ["shirt", "coat"])

    def test_class_panels_show_each_configuration_before_more_seeds(self):
        import numpy as np
        traces = []
        for c in (1, 3):
            for seed in (0, 1, 2, 3):
                run = make_run("simclr", {"c": c}, seed)
                traces.append((run, {"epoch": np.arange(1.0, 3.0), "norm_mean": np.ones(2),
                                     "norm_class0": np.ones(2)}))
        sink = FigureSink()
        build.plot_norms(sink, traces)
        titles = [ax.get_title() for ax in sink.figs["norms"].axes[1:]]
        self.assertEqual(len(titles), build.MAX_CLASS_PANELS)
        self.assertIn("simclr@c=1,seed=0", titles[0])
        self.assertIn("simclr@c=3,seed=0", titles[1])
        self.assertIn("simclr@c=1,seed=1", titles[2])

    def test_without_knn_or_classes_one_panel(self):
        import numpy as np
        run = make_run("simclr", {}, 0)
        traces = [(run, {"epoch": np.arange(1.0, 4.0), "norm_mean": np.ones(3)})]
        sink = FigureSink()
        out = build.plot_norms(sink, traces)
        self.assertEqual(len(sink.figs["norms"].axes), 1)
        self.assertNotIn("kNN", out["alt"])
        # No image-model traces: no figure.
        self.assertIsNone(build.plot_norms(FigureSink(), self.traces[:1]))

    def test_trace_panels_leave_the_norm_columns_out(self):
        sink = FigureSink()
        build.plot_traces(sink, self.traces[1:])
        titles = [ax.get_title() for ax in sink.figs["traces"].axes]
        self.assertEqual(titles, ["loss", "norm_mean"])


class PlacementTest(unittest.TestCase):
    NAN = float("nan")
    # Seed values of dcor_to_<ref> at rho = 1, 2, 4 (binary fractions: exact means).
    DCOR = {"umap": {1: [0.25, 0.75], 2: [0.75, NAN], 4: [0.5, 1.0]},  # means .5 .75 .75
            "le": {1: [0.5, 0.5], 2: [0.625, 0.625], 4: [0.875, 0.875]},
            "fa2": {1: [NAN, NAN], 2: [NAN, NAN], 4: [NAN, NAN]}}  # measured, but all failed
    REFS = {"umap": [0.25, 0.5], "le": [0.125, 0.125], "fa2": [0.625]}  # their knn_recall@15

    def setUp(self):
        self.runs = [make_run("tsne", {"rho": rho}, seed, {
            "knn_recall@15": 0.5 - 0.0625 * rho,
            **{f"dcor_to_{ref}": by_rho[rho][seed] for ref, by_rho in self.DCOR.items()}})
            for rho in (1, 2, 4) for seed in (0, 1)]
        self.refs = {ref: [make_run(ref, {}, seed, {"knn_recall@15": v})
                           for seed, v in enumerate(values)] for ref, values in self.REFS.items()}
        self.sweep = build.make_sweep(self.runs, "tsne", "rho")

    def test_argmax_of_seed_means_first_on_ties(self):
        placed = build.placements(self.sweep, self.refs)
        self.assertEqual(list(placed), ["umap", "le"])  # fa2: no finite dcor_to_fa2
        umap, le = placed["umap"], placed["le"]
        self.assertEqual((umap.value, umap.mean, umap.label), (2, 0.75, "umap (best rho = 2)"))
        self.assertTrue(math.isnan(umap.sd))  # one finite seed at rho = 2
        self.assertEqual((le.value, le.mean, le.sd), (4, 0.875, 0.0))
        self.assertEqual([v for v, _, _ in umap.points], [1, 2, 4])

    def test_nothing_placed_with_a_second_sweep_parameter(self):
        for r in self.runs:
            r.params["perplexity"] = 30
        self.assertEqual(build.placements(build.make_sweep(self.runs, "tsne", "rho"), self.refs),
                         {})

    def test_placed_run_is_a_marker_at_its_rho_others_a_line(self):
        placed = build.placements(self.sweep, self.refs)
        colours = {"umap": "C3", "le": "C4", "fa2": "C5"}
        sink = FigureSink()
        stem = build.plot_metric_sweep(sink, self.sweep, "knn_recall@15", self.refs, placed,
                                       colours)
        ax = sink.figs[stem].axes[0]
        bars = {c.get_label(): c for c in ax.containers}
        self.assertEqual(set(bars), {"tsne", "umap (best rho = 2)", "le (best rho = 4)"})
        umap = bars["umap (best rho = 2)"]
        self.assertEqual(list(umap.lines[0].get_xdata()), [2.0])
        self.assertEqual(list(umap.lines[0].get_ydata()), [0.375])
        # Error bar: the seed sd of umap's own recall, sd([0.25, 0.5]) = 0.125 * sqrt(2).
        (segment,) = umap.lines[2][0].get_segments()
        self.assertAlmostEqual(segment[1][1] - segment[0][1], 2 * 0.125 * math.sqrt(2))
        self.assertEqual(list(bars["le (best rho = 4)"].lines[0].get_xdata()), [4.0])
        (fa2,) = [line for line in ax.lines if line.get_label() == "fa2"]
        self.assertEqual(list(fa2.get_ydata()), [0.625, 0.625])

    def test_placement_figure_stars_the_argmax(self):
        placed = build.placements(self.sweep, self.refs)
        sink = FigureSink()
        stem = build.plot_placement(sink, self.sweep, placed, {"umap": "C3", "le": "C4"})
        self.assertEqual(stem, "placement_tsne_rho")
        ax = sink.figs[stem].axes[0]
        self.assertEqual(ax.get_title(), "tsne: placement on rho")
        stars = [(list(s.get_xdata()), list(s.get_ydata())) for s in ax.lines
                 if s.get_marker() == "*"]
        self.assertEqual(stars, [([2.0], [0.75]), ([4.0], [0.875])])


class RanAtSiteTest(unittest.TestCase):
    """Neg-t-SNE over c with neg_at_tsne, neg_at_nce and nce at the c they ran at (last_c;
    Damrich et al. 2023, Fig. S4), tsne and umap without it (make_fixture.c_design)."""

    PAGE = "cne__fixture_c.html"
    MARKED = ("neg_at_tsne", "neg_at_nce", "nce")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nebench_report_c_")
        results = os.path.join(cls.tmp, "results")
        cls.path = make_fixture.write_c_fixture(results)
        cls.res = build.load_result(cls.path, os.path.relpath(cls.path, results))
        cls.site = os.path.join(cls.tmp, "site")
        cls.proc = run_build("--results", results, "--out", cls.site, "--jobs", "1")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def stored_mean(self, name, metric):
        """Seed mean of a stored metric, read straight from the file."""
        with h5py.File(self.path, "r") as f:
            values = [f["runs"][rid]["metrics"].attrs[metric] for rid in f["runs"]
                      if f["runs"][rid].attrs["name"] == name]
        self.assertEqual(len(values), 2)
        return sum(values) / 2

    def test_page_lists_the_marked_runs_with_their_c(self):
        page = read(os.path.join(self.site, self.PAGE))
        labels = {"neg_at_tsne": "c = 0.00123", "neg_at_nce": "c = 0.0315", "nce": "c = 0.25"}
        for name, at in labels.items():
            mean = sum(make_fixture.LAST_C[name]) / 2
            self.assertIn(f"<li>{name} ({at}): last_c {build.fmt_number(mean)}", page)
        self.assertNotIn("<li>tsne (", page)
        self.assertNotIn("<li>umap (", page)
        imgs = parse(os.path.join(self.site, self.PAGE)).imgs
        src = "img/cne__fixture_c/metric_neg_c_knn_recall_15.png"
        self.assertIn(src, imgs)
        self.assertTrue(os.path.isfile(os.path.join(self.site, src)))
        self.assertFalse([s for s in imgs if "placement" in s])

    def test_markers_and_dotted_lines_at_last_c(self):
        sweep = build.make_sweep(self.res.runs, "neg", "c")
        refs = {}
        for r in self.res.runs:
            if not r.params:
                refs.setdefault(r.name, []).append(r)
        marked = build.ran_at(sweep, refs)
        self.assertEqual(list(marked), list(self.MARKED))
        colours = {ref: f"C{i}" for i, ref in enumerate(refs)}
        sink = FigureSink()
        stem = build.plot_metric_sweep(sink, sweep, "knn_recall@15", refs, marked, colours)
        self.assertEqual(stem, "metric_neg_c_knn_recall@15")
        ax = sink.figs[stem].axes[0]
        self.assertEqual(ax.get_xscale(), "log")  # c from 1e-4 to 100
        bars = {c.get_label(): c for c in ax.containers}
        vertical = {line.get_xdata()[0]: line for line in ax.lines
                    if line.get_linestyle() == ":"}
        for name in self.MARKED:
            c = sum(make_fixture.LAST_C[name]) / 2
            (label,) = [k for k in bars if k.startswith(name + " (")]
            self.assertEqual(label, f"{name} (c = {c:.3g})")
            (x,) = bars[label].lines[0].get_xdata()
            (y,) = bars[label].lines[0].get_ydata()
            self.assertAlmostEqual(x, c, places=12)
            self.assertAlmostEqual(y, self.stored_mean(name, "knn_recall@15"), places=12)
            line = vertical[x]
            self.assertEqual(list(line.get_xdata()), [x, x])
            self.assertEqual(line.get_color(), colours[name])
        self.assertEqual(len(vertical), 3)
        # tsne and umap have no last_c: horizontal lines at their seed means.
        for name in ("tsne", "umap"):
            (line,) = [ln for ln in ax.lines if ln.get_label() == name]
            self.assertEqual(list(line.get_ydata()), [self.stored_mean(name, "knn_recall@15")] * 2)


class RanAtTest(unittest.TestCase):
    NAN = float("nan")

    def sweep(self, values):
        runs = [make_run("neg", {"c": c}, 0, {"knn_recall@15": 0.5}) for c in values]
        return build.make_sweep(runs, "neg", "c")

    def refs(self, last_c):
        return {"z": [make_run("z", {}, s, {"last_c": v, "knn_recall@15": 0.25})
                      for s, v in enumerate(last_c)]}

    def test_seed_mean_of_the_finite_values(self):
        (p,) = build.ran_at(self.sweep([1e-3, 1.0]), self.refs([0.25, self.NAN, 0.75])).values()
        self.assertEqual((p.value, p.mean, p.metric, p.label), (0.5, 0.5, "last_c", "z (c = 0.5)"))
        self.assertAlmostEqual(p.sd, math.sqrt(0.125))
        self.assertEqual(p.points, [])

    def test_only_where_the_axis_can_show_it(self):
        # Log axis (span > 20): a non-positive c cannot be drawn, so it stays a line.
        self.assertEqual(build.ran_at(self.sweep([1e-3, 1.0]), self.refs([0.0, 0.0])), {})
        # Linear axis: any finite value is fine.
        (p,) = build.ran_at(self.sweep([1, 2]), self.refs([-1.0])).values()
        self.assertEqual(p.value, -1.0)
        self.assertEqual(build.ran_at(self.sweep(["a", "b"]), self.refs([1.0])), {})
        self.assertEqual(build.ran_at(self.sweep([1, 2]), self.refs([self.NAN])), {})
        self.assertEqual(build.ran_at(self.sweep([1, 2]), {"z": [make_run("z", {}, 0)]}), {})

    def test_off_grid_marker_on_a_linear_axis(self):
        sweep = self.sweep([1, 2, 4])
        marked = build.ran_at(sweep, self.refs([3.0]))
        sink = FigureSink()
        stem = build.plot_metric_sweep(sink, sweep, "knn_recall@15", self.refs([3.0]), marked,
                                       {"z": "C3"})
        ax = sink.figs[stem].axes[0]
        self.assertEqual(ax.get_xscale(), "linear")
        bar = next(c for c in ax.containers if c.get_label() == "z (c = 3)")
        self.assertEqual((list(bar.lines[0].get_xdata()), list(bar.lines[0].get_ydata())),
                         ([3.0], [0.25]))
        (dotted,) = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
        self.assertEqual(list(dotted.get_xdata()), [3.0, 3.0])


class HelperTest(unittest.TestCase):
    def test_mean_sd_over_seeds(self):
        mean, sd, n = build.mean_sd([0.3, 0.5, float("nan")])
        self.assertEqual(n, 2)
        self.assertAlmostEqual(mean, 0.4)
        self.assertAlmostEqual(sd, math.sqrt(0.02))  # ddof 1: ((0.1^2 + 0.1^2) / 1)^0.5
        mean, sd, n = build.mean_sd([0.7])
        self.assertEqual((mean, n), (0.7, 1))
        self.assertTrue(math.isnan(sd))

    def test_log_axis_only_beyond_20x(self):
        self.assertTrue(build.wants_log_axis([1, 2, 4, 8, 16, 30, 64, 100]))
        self.assertFalse(build.wants_log_axis([1, 2, 4, 8, 16]))
        self.assertFalse(build.wants_log_axis([1, 20]))
        self.assertTrue(build.wants_log_axis([1, 21]))
        self.assertFalse(build.wants_log_axis([0, 100]))
        self.assertFalse(build.wants_log_axis(["a", "b"]))

    def test_sweep_axes_and_run_ids(self):
        runs = [make_run("t", {"rho": r, "m": "x"}, 0) for r in (1, 2)] + [make_run("u", {}, 0)]
        self.assertEqual(build.sweep_axes(runs), {"t": ["rho", "m"]})

    def test_label_colours_use_tab10_and_class_names(self):
        import numpy as np
        import matplotlib
        rgba, legend = build.label_colours(np.array([0, 2, 2, -1]), ["a", "b", "c"])
        tab10 = matplotlib.colormaps["tab10"]
        self.assertEqual(tuple(rgba[1]), tuple(tab10(2)))
        self.assertEqual([n for n, _ in legend], ["a", "c"])  # only classes present
        self.assertEqual(tuple(rgba[3][:3]), (0.7, 0.7, 0.7))  # unlabelled: grey

    def test_number_formatting(self):
        self.assertEqual(build.fmt_number(float("nan")), "–")
        self.assertEqual(build.fmt_number(0.123456), "0.1235")
        self.assertEqual(build.fmt_number(1.5e-5), "1.5e-05")
        self.assertEqual(build.fmt_number(3), "3")
        self.assertEqual(build.fmt_observed({"rho": [1, 4], "mean": [0.33986, None]}),
                         "rho: [1, 4]; mean: [0.3399, –]")

    def test_reference_of_every_check_type(self):
        t = build.fmt_target
        self.assertEqual(t({"type": "monotone", "run": "tsne", "over": "rho", "metric": "r",
                            "direction": "decreasing", "tolerance": 0.005}),
                         "r decreasing over rho (tolerance 0.005)")
        self.assertEqual(t({"type": "greater", "metric": "r", "margin": 0,
                            "a": {"run": "infonce", "params": {"m": 500}},
                            "b": {"run": "infonce", "params": {"m": 5}}}),
                         "r: infonce(m=500) > infonce(m=5) + 0")
        self.assertEqual(t({"type": "argmax_in", "run": "tsne", "over": "rho", "metric": "d",
                            "range": [10, 100], "slack_steps": 1}),
                         "argmax of d over rho in [10, 100] (+-1 steps)")
        self.assertEqual(t({"type": "within", "run": "s1", "metric": "g", "reference": 0,
                            "tolerance": 1e-06}), "g = 0 +- 1e-06")
        self.assertEqual(t({"type": "ratio_in", "range": [1.1, 1e12],
                            "a": {"run": "s", "metric": "x", "params": {"wd": 0}},
                            "b": {"run": "s", "metric": "y"}}),
                         "x of s(wd=0) / y of s in [1.1, 1e+12]")
        self.assertEqual(t({"type": "argmax_in", "run": "neg", "over": "c", "metric": "r",
                            "range": [{"run": "tsne", "metric": "last_c"}, 1.0]}),
                         "argmax of r over c in [tsne:last_c, 1]")
        self.assertEqual(t({"type": "close", "metric": "r", "tolerance": 0.03,
                            "a": {"run": "p"}, "b": {"run": "q"}}), "r: |p - q| <= 0.03")
        self.assertEqual(t({"type": "slope", "run": "s1", "over": "r", "metric": "steps",
                            "log": True, "range": [1.9, 2.1]}),
                         "slope of log steps vs log r in [1.9, 2.1]")
        self.assertEqual(t({"type": "bound", "run": "simclr", "metric": "auc", "above": 0.5}),
                         "auc of simclr > 0.5")
        self.assertEqual(t({"type": "new_kind", "x": 1}), '{"type": "new_kind", "x": 1}')
        self.assertEqual(t("unparsed text"), "–")

    def test_image_shape_from_the_dataset_attributes(self):
        import numpy as np
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "images.h5")
            with h5py.File(path, "w") as f:
                images = f.create_group("dataset")
                images.attrs["image_shape"] = np.array([1, 28, 28], dtype=np.int64)
                images.attrs["pixel_max"] = 255.0
                f.create_group("points").attrs["n"] = 3
            with h5py.File(path, "r") as f:
                images, points = build._attrs(f["dataset"]), build._attrs(f["points"])
        self.assertEqual(build.image_text(images), "1 x 28 x 28, pixel max 255")
        self.assertIsNone(build.image_text(points))  # not images, or an older file
        res = type("Res", (), {"attrs": {}, "dataset": images, "graph": {}, "path": "x.h5",
                               "status": "complete", "profile": "smoke"})()
        self.assertIn(("images (C x H x W)", "1 x 28 x 28, pixel max 255"),
                      build.provenance_rows(res))
        res.dataset = points
        self.assertNotIn("images (C x H x W)", [k for k, _ in build.provenance_rows(res)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
