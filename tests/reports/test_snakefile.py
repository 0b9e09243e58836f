#!/usr/bin/python3
"""Dry runs of the Snakefile: the jobs, commands and resources it plans.

Run from anywhere: /usr/bin/python3 tests/reports/test_snakefile.py
(snakemake runs from the repo root with --snakefile; no nebench binary needed).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SNAKEMAKE = "/usr/bin/snakemake"


def dry_run(*config, extra=(), cores=2):
    """snakemake -n -F (every job, whatever exists already); returns the process."""
    cmd = [SNAKEMAKE, "-n", "-F", "-p", "--nolock", "--snakefile", os.path.join(REPO, "Snakefile"),
           *extra, "--config", *config]
    if "--profile" not in extra:
        cmd[1:1] = ["--cores", str(cores)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


def job_counts(out):
    """{rule: count} from the first 'Job stats' table of a dry run."""
    table = out[out.index("Job stats:"):]
    counts = {}
    for line in table.splitlines()[3:]:
        m = re.match(r"^(\w+)\s+(\d+)\s+\d+\s+\d+$", line)
        if not m:
            break
        counts[m.group(1)] = int(m.group(2))
    return counts


def job_blocks(out):
    """The dry run's job blocks: [(rule, text of the block up to the next one)]."""
    parts = re.split(r"\n(?=(?:local)?rule \w+:)", out)
    return [(re.match(r"(?:local)?rule (\w+):", p).group(1), p) for p in parts
            if re.match(r"(?:local)?rule \w+:", p)]


def spec(sid, dataset, profiles=None, resources=None):
    s = {"id": sid, "paper": sid.split("/")[0], "title": sid, "dataset": dataset,
         "runs": [{"name": "tsne", "method": {"type": "tsne",
                                              "phases": [{"iters": 10, "exaggeration": 1,
                                                          "momentum": 0.5}]}}]}
    if profiles is not None:
        s["profiles"] = profiles
    if resources is not None:
        s["resources"] = resources
    return s


class SnakefileDryRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nebench_snakefile_test_")
        d = cls.specs = os.path.join(cls.tmp, "experiments")
        smoke = {"smoke": {"dataset.subsample": 100}}
        files = {
            "spectrum/real.json": spec("spectrum/t_real", {"name": "fashion-mnist"}, smoke),
            "spectrum/mnist.json": spec("spectrum/t_mnist", {"name": "mnist-10k"}, smoke),
            # Same registered dataset as t_real: one prepare job for both.
            "spectrum/real2.json": spec("spectrum/t_real2", {"name": "fashion-mnist"}, smoke),
            "cne/synth.json": spec("cne/t_synth", {"name": "gaussian_mixture"},
                                   {"smoke": {"resources.threads": 1, "resources.minutes": 5}},
                                   resources={"threads": 4, "memory_gb": 2.5, "minutes": 90}),
            "medical/user.json": spec("medical/t_user", {"path": "data/x.npy",
                                                         "labels": "data/y.npy"}, smoke),
            # The user's data file is not there: left out, with a word.
            "medical/absent.json": spec("medical/t_absent", {"path": "data/none.npz"}, smoke),
            # No smoke profile: nebench would refuse it, so it is skipped.
            "graph/full_only.json": spec("graph/t_full_only", {"name": "gaussian_mixture"}),
            # Not specs: the schema and the CI baselines next to them.
            "schema.json": {"$schema": "https://json-schema.org/draft/2020-12/schema"},
            "baselines/spectrum/x.json": {"spec": "spectrum/t_real", "metrics": {}},
        }
        for rel, content in files.items():
            path = os.path.join(d, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                json.dump(content, fh)
        os.makedirs(os.path.join(d, "medical", "data"))
        for name in ("x.npy", "y.npy"):
            open(os.path.join(d, "medical", "data", name), "wb").close()
        cls.proc = dry_run("profile=smoke", f"specs={d}", "nebench=/opt/nb/nebench")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_jobs(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr + self.proc.stdout)
        self.assertEqual(job_counts(self.proc.stdout),
                         {"all": 1, "prepare_dataset": 2, "report": 1, "run_spec": 5,
                          "total": 9})
        outputs = set(re.findall(r"output: (\S+)", self.proc.stdout))
        self.assertEqual(outputs, {
            "datasets/cache/fashion-mnist.h5", "datasets/cache/mnist-10k.h5",
            "results/smoke/spectrum/t_real.h5", "results/smoke/spectrum/t_real2.h5",
            "results/smoke/spectrum/t_mnist.h5", "results/smoke/cne/t_synth.h5",
            "results/smoke/medical/t_user.h5", "reports/site/index.html"})
        self.assertIn("graph/full_only.json", self.proc.stderr)
        self.assertIn("need data files that are not there, skipped: ", self.proc.stderr)
        self.assertIn("medical/absent.json (needs ", self.proc.stderr)

    def test_a_spec_named_alone_must_have_its_data(self):
        absent = os.path.join(self.specs, "medical", "absent.json")
        proc = dry_run("profile=smoke", f"specs={absent}")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("dataset.path: ", proc.stdout + proc.stderr)
        self.assertIn("none.npz does not exist", proc.stdout + proc.stderr)

    def test_commands_inputs_and_resources(self):
        blocks = {}
        for rule, text in job_blocks(self.proc.stdout):
            out = re.search(r"output: (\S+)", text)
            blocks[out.group(1) if out else rule] = text
        synth = blocks["results/smoke/cne/t_synth.h5"]
        self.assertIn(f"/opt/nb/nebench run {self.specs}/cne/synth.json --profile smoke "
                      "--out results/smoke/cne/t_synth.h5 --threads 1", synth)
        # Spec resources with the smoke overrides: threads 1, 2.5 GB, 5 minutes.
        self.assertRegex(synth, r"mem_mb=2560\b")
        self.assertRegex(synth, r"runtime=5\b")
        self.assertRegex(synth, r"input: \S+/cne/synth.json\n")  # no dataset input
        real = blocks["results/smoke/spectrum/t_real.h5"]
        self.assertRegex(real, r"input: \S+/spectrum/real.json, datasets/cache/fashion-mnist.h5")
        self.assertIn("--threads 2", real)  # config default
        user = blocks["results/smoke/medical/t_user.h5"]
        self.assertIn(f"{self.specs}/medical/data/x.npy", user)
        self.assertIn(f"{self.specs}/medical/data/y.npy", user)
        prep = blocks["datasets/cache/mnist-10k.h5"]
        self.assertIn("/opt/nb/nebench data prepare mnist-10k", prep)
        report = blocks["reports/site/index.html"]
        self.assertIn("/usr/bin/python3 reports/build.py --results results/smoke "
                      "--out reports/site", report)
        self.assertIn("results/smoke/medical/t_user.h5", report)

    def test_missing_user_data_leaves_the_spec_out_with_a_word(self):
        os.remove(os.path.join(self.specs, "medical", "data", "x.npy"))
        try:
            proc = dry_run("profile=smoke", f"specs={self.specs}")
        finally:
            open(os.path.join(self.specs, "medical", "data", "x.npy"), "wb").close()
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertIn("medical/user.json (needs ", proc.stderr)
        self.assertIn("x.npy", proc.stderr)
        self.assertNotIn("results/smoke/medical/t_user.h5", proc.stdout)

    def test_duplicate_spec_id_is_an_error(self):
        extra = os.path.join(self.tmp, "dup.json")
        with open(extra, "w") as fh:
            json.dump(spec("spectrum/t_real", {"name": "fashion-mnist"}), fh)
        proc = dry_run("profile=full", f"specs=[{self.specs},{extra}]")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("spectrum/t_real", proc.stdout + proc.stderr)

    def test_full_profile_runs_every_spec(self):
        proc = dry_run("profile=full", f"specs={self.specs}", cores=8)
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(job_counts(proc.stdout)["run_spec"], 6)
        self.assertIn("results/full/graph/t_full_only.h5", proc.stdout)
        # t_synth's own resources.threads (smoke lowered it to 1); others the config default.
        self.assertIn("--out results/full/cne/t_synth.h5 --threads 4", proc.stdout)
        self.assertIn("--out results/full/spectrum/t_real.h5 --threads 2", proc.stdout)


class RepoSpecsDryRunTest(unittest.TestCase):
    def test_repo_specs_with_local_profile(self):
        """Every spec of the repo that defines smoke is planned (via profiles/local)."""
        expected = set()
        for path in glob.glob(os.path.join(REPO, "experiments", "**", "*.json"), recursive=True):
            rel = os.path.relpath(path, os.path.join(REPO, "experiments"))
            if rel == "schema.json" or rel.startswith("baselines" + os.sep):
                continue
            with open(path) as fh:
                s = json.load(fh)
            if "smoke" in s.get("profiles", {}):
                expected.add(f"results/smoke/{s['id']}.h5")
        local = os.path.join(REPO, "profiles", "local")
        proc = dry_run("profile=smoke", extra=("--profile", local))
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        planned = {o for o in re.findall(r"output: (\S+)", proc.stdout) if o.startswith("results/")}
        self.assertEqual(planned, expected)
        self.assertEqual(job_counts(proc.stdout)["report"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
