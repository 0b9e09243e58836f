#!/usr/bin/python3
"""Dry runs of the Snakefile: the jobs, commands and resources it plans.

Run from anywhere: /usr/bin/python3 tests/reports/test_snakefile.py
(snakemake runs from the repo root with --snakefile; no nebench binary needed).
The Snakemake profiles profiles/local and profiles/slurm are dry-run on the
repository's specs; profiles/slurm is also run for real against fake SLURM
commands (sbatch, sacct, sinfo, sacctmgr) that record what is submitted.
"""

import glob
import json
import math
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


def resources_of(text):
    """{name: value} of a job block's 'resources:' line (values as text)."""
    m = re.search(r"^\s*resources: (.*)$", text, re.M)
    return dict(re.findall(r"(\w+)=([^,]*)(?:, |$)", m.group(1))) if m else {}


def threads_of(text):
    """A job block's threads: Snakemake prints the line only when above 1."""
    m = re.search(r"^\s*threads: (\d+)$", text, re.M)
    return int(m.group(1)) if m else 1


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

    def test_device_config(self):
        # Default auto: a local run stays on the CPU, GPU spec or not.
        self.assertIn("--threads 1 --device cpu", self.proc.stdout)
        self.assertNotIn("--device cuda", self.proc.stdout)
        proc = dry_run("profile=smoke", f"specs={self.specs}", "device=cuda")
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(len(re.findall(r"--device cuda\b", proc.stdout)), 5)
        self.assertNotIn("--device cpu", proc.stdout)
        proc = dry_run("profile=smoke", f"specs={self.specs}", "device=gpu")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("config device='gpu': must be auto, cpu or cuda", proc.stdout + proc.stderr)

    def test_full_profile_runs_every_spec(self):
        proc = dry_run("profile=full", f"specs={self.specs}", cores=8)
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(job_counts(proc.stdout)["run_spec"], 6)
        self.assertIn("results/full/graph/t_full_only.h5", proc.stdout)
        # t_synth's own resources.threads (smoke lowered it to 1); others the config default.
        self.assertIn("--out results/full/cne/t_synth.h5 --threads 4", proc.stdout)
        self.assertIn("--out results/full/spectrum/t_real.h5 --threads 2", proc.stdout)


def repo_smoke_specs():
    """{spec id: (file, resources at the smoke profile)} of every repo spec
    that defines the smoke profile, read here independently of the Snakefile."""
    out = {}
    exp = os.path.join(REPO, "experiments")
    for path in glob.glob(os.path.join(exp, "**", "*.json"), recursive=True):
        rel = os.path.relpath(path, exp)
        if rel == "schema.json" or rel.startswith("baselines" + os.sep):
            continue
        with open(path) as fh:
            s = json.load(fh)
        smoke = (s.get("profiles") or {}).get("smoke")
        if smoke is None:
            continue
        res = dict(s.get("resources") or {})
        for key, value in smoke.items():
            if key.startswith("resources."):
                res[key.split(".", 1)[1]] = value
        out[s["id"]] = (os.path.relpath(path, REPO), res, s.get("dataset") or {})
    return out


# The Snakefile's defaults: threads 2, 4 GB, 60 minutes; these datasets are
# prepared by their own job (datasets/cache/NAME.h5).
PREPARED = {"fashion-mnist", "mnist-10k"}


class RepoSpecsDryRunTest(unittest.TestCase):
    """snakemake -n with each Snakemake profile on the repository's specs."""

    @classmethod
    def setUpClass(cls):
        cls.specs = repo_smoke_specs()
        datasets = {d.get("name") for _, _, d in cls.specs.values()}
        n = len(cls.specs)
        p = len(datasets & PREPARED)
        cls.expected_counts = {"all": 1, "prepare_dataset": p, "report": 1, "run_spec": n,
                               "total": n + p + 2}
        cls.local = dry_run("profile=smoke",
                            extra=("--profile", os.path.join(REPO, "profiles", "local")))
        cls.slurm = dry_run("profile=smoke",
                            extra=("--profile", os.path.join(REPO, "profiles", "slurm")))

    def run_blocks(self, out):
        """{spec id: job block text} of the run_spec jobs of a dry run."""
        blocks = {}
        for rule, text in job_blocks(out):
            if rule == "run_spec":
                sid = re.search(r"wildcards: spec=(\S+)", text).group(1)
                self.assertNotIn(sid, blocks)
                blocks[sid] = text
        return blocks

    def test_specs_cover_cpu_and_gpu(self):
        # Otherwise the resource checks below would not test both paths.
        gpus = [r.get("gpus", 0) for _, r, _ in self.specs.values()]
        self.assertTrue(any(g > 0 for g in gpus), "no repo spec with resources.gpus")
        self.assertTrue(any(g == 0 for g in gpus), "no repo CPU spec")

    def test_local_profile_plans_every_smoke_spec(self):
        proc = self.local
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(job_counts(proc.stdout), self.expected_counts)
        planned = {o for o in re.findall(r"output: (\S+)", proc.stdout) if o.startswith("results/")}
        self.assertEqual(planned, {f"results/smoke/{sid}.h5" for sid in self.specs})
        blocks = self.run_blocks(proc.stdout)
        self.assertEqual(set(blocks), set(self.specs))
        for sid, (path, res, _) in self.specs.items():
            text = blocks[sid]
            # cores: 2 in profiles/local caps the spec's threads; no GPU locally.
            threads = min(int(res.get("threads", 2)), 2)
            self.assertIn(f"run {path} --profile smoke --out results/smoke/{sid}.h5 "
                          f"--threads {threads} --device cpu", text, sid)
            self.assertEqual(threads_of(text), threads, sid)

    def test_slurm_profile_carries_each_specs_resources(self):
        proc = self.slurm
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(job_counts(proc.stdout), self.expected_counts)
        # Downloads and the report stay on the login node.
        rules = [(rule, text.startswith("localrule")) for rule, text in job_blocks(proc.stdout)]
        for rule, local in rules:
            self.assertEqual(local, rule != "run_spec", rule)
        blocks = self.run_blocks(proc.stdout)
        self.assertEqual(set(blocks), set(self.specs))
        for sid, (path, res, _) in self.specs.items():
            text = blocks[sid]
            got = resources_of(text)
            threads = int(res.get("threads", 2))
            gpus = int(res.get("gpus", 0))
            self.assertEqual(threads_of(text), threads, sid)  # sbatch --cpus-per-task
            self.assertEqual(int(got["mem_mb"]),
                             math.ceil(float(res.get("memory_gb", 4)) * 1024), sid)
            self.assertEqual(int(got["runtime"]), math.ceil(float(res.get("minutes", 60))), sid)
            self.assertEqual(int(got["gpus"]), gpus, sid)
            device = "cuda" if gpus > 0 else "cpu"
            self.assertIn(f"run {path} --profile smoke --out results/smoke/{sid}.h5 "
                          f"--threads {threads} --device {device}", text, sid)
            if gpus > 0:
                self.assertEqual(got.get("slurm_extra"), f"--gres=gpu:{gpus}", sid)
            else:
                self.assertNotIn("slurm_extra", got, sid)
                self.assertNotIn("gpu:", text, sid)


FAKE_SBATCH = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_SLURM_LOG"
echo "Submitted batch job $((1000 + $(wc -l < "$FAKE_SLURM_LOG")))"
"""
# Every job ends FAILED: Snakemake stops waiting at once (no output to wait for).
FAKE_SACCT = """#!/bin/sh
case "$*" in
  *JobIdRaw,State*) for a; do j=$a; done; echo "$j|FAILED" ;;
  *) echo testacct ;;
esac
"""
FAKE_TOOLS = {
    "sbatch": FAKE_SBATCH,
    "sacct": FAKE_SACCT,
    "sacctmgr": "#!/bin/sh\necho testacct\n",
    "sinfo": "#!/bin/sh\nprintf 'PARTITION\\ncpu*\\ngpu\\n'\n",
    "scancel": "#!/bin/sh\nexit 0\n",
}


class SlurmSubmissionTest(unittest.TestCase):
    """profiles/slurm for real, against fake SLURM commands: the sbatch calls
    Snakemake's --slurm executor makes carry each spec's threads, memory,
    wall time and GPUs. Runs in a copy of the Snakefile's folder, so nothing
    is written into the repository."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nebench_slurm_test_")
        cls.bin = os.path.join(cls.tmp, "bin")
        os.makedirs(cls.bin)
        for name, text in FAKE_TOOLS.items():
            path = os.path.join(cls.bin, name)
            with open(path, "w") as fh:
                fh.write(text)
            os.chmod(path, 0o755)
        cls.wd = os.path.join(cls.tmp, "wd")
        os.makedirs(os.path.join(cls.wd, "reports"))
        shutil.copy(os.path.join(REPO, "Snakefile"), cls.wd)
        open(os.path.join(cls.wd, "reports", "build.py"), "w").close()
        synth = {"name": "gaussian-mixture"}
        files = {
            "x/gpu.json": spec("x/gpu", synth, {"smoke": {}},
                               {"threads": 8, "memory_gb": 24, "minutes": 90, "gpus": 2}),
            "x/cpu.json": spec("x/cpu", synth, {"smoke": {}},
                               {"threads": 3, "memory_gb": 1.5, "minutes": 5}),
            "x/plain.json": spec("x/plain", synth, {"smoke": {}}),
        }
        for rel, content in files.items():
            path = os.path.join(cls.wd, "experiments", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                json.dump(content, fh)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def submit(self, *config):
        """Runs the workflow with profiles/slurm; {spec id: sbatch arguments}."""
        log = os.path.join(self.tmp, "sbatch.log")
        if os.path.exists(log):
            os.remove(log)
        env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ.get("PATH", ""),
                   USER="tester", FAKE_SLURM_LOG=log)
        # One status check per second (the executor's default waits 33 s).
        proc = subprocess.run(
            [SNAKEMAKE, "--profile", os.path.join(REPO, "profiles", "slurm"),
             "--max-status-checks-per-second", "1", "--config", "profile=smoke",
             "nebench=/opt/nb/nebench", *config],
            cwd=self.wd, env=env, capture_output=True, text=True, timeout=300)
        self.assertTrue(os.path.exists(log), proc.stderr + proc.stdout)
        calls = {}
        with open(log) as fh:
            for line in fh:
                m = re.search(r"--target-jobs 'run_spec:spec=([^']+)'", line)
                self.assertIsNotNone(m, line)  # only run_spec goes to the cluster
                calls[m.group(1)] = line.split(" --wrap=")[0]
        return proc, calls

    def test_sbatch_carries_threads_memory_time_and_gpus(self):
        proc, calls = self.submit()
        self.assertEqual(set(calls), {"x/gpu", "x/cpu", "x/plain"}, proc.stderr + proc.stdout)
        self.assertRegex(calls["x/gpu"], r"(^| )--cpus-per-task=8( |$)")
        self.assertRegex(calls["x/gpu"], r" --mem 24576( |$)")
        self.assertRegex(calls["x/gpu"], r" -t 90( |$)")
        self.assertRegex(calls["x/gpu"], r" --gres=gpu:2( |$)")
        self.assertRegex(calls["x/cpu"], r" --cpus-per-task=3( |$)")
        self.assertRegex(calls["x/cpu"], r" --mem 1536( |$)")
        self.assertRegex(calls["x/cpu"], r" -t 5( |$)")
        self.assertNotIn("gpu", calls["x/cpu"])
        # Config defaults for a spec without resources: 2 threads, 4 GB, 60 min.
        self.assertRegex(calls["x/plain"], r" --cpus-per-task=2( |$)")
        self.assertRegex(calls["x/plain"], r" --mem 4096( |$)")
        self.assertRegex(calls["x/plain"], r" -t 60( |$)")
        self.assertNotIn("gpu", calls["x/plain"])
        out = proc.stdout + proc.stderr
        self.assertIn("--out results/smoke/x/gpu.h5 --threads 8 --device cuda", out)
        self.assertIn("--out results/smoke/x/cpu.h5 --threads 3 --device cpu", out)

    def test_inside_the_cluster_job_the_gpu_is_used(self):
        # The submitted job reruns Snakemake on the node with --mode 2 (and
        # --slurm-jobstep); its command must still ask for the GPU it holds.
        proc = subprocess.run(
            [SNAKEMAKE, "-n", "-p", "--nolock", "--mode", "2", "--cores", "8",
             "--config", "profile=smoke", "nebench=/opt/nb/nebench"],
            cwd=self.wd, capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertIn("--out results/smoke/x/gpu.h5 --threads 8 --device cuda", proc.stdout)
        self.assertIn("--out results/smoke/x/cpu.h5 --threads 3 --device cpu", proc.stdout)

    def test_gpu_option_is_configurable(self):
        _, calls = self.submit("slurm_gpu=--gpus=", "slurm_gpu_extra=--partition=gpu")
        self.assertRegex(calls["x/gpu"], r" --gpus=2 --partition=gpu( |$)")
        self.assertNotIn("--gres", calls["x/gpu"])
        self.assertNotIn("gpu", calls["x/cpu"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
