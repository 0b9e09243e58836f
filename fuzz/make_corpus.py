#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/).

Seeds are small valid inputs plus a few near-valid ones (one field off), so
that libFuzzer starts from every branch of a reader rather than from its
magic-number check. The binary seeds are generated here (numpy, gzip,
zipfile) instead of being edited by hand; the spec seeds are the repo's own
specs, minified. Re-running rewrites the generated seeds with the same bytes
(fixed timestamps in gzip and zip headers) and leaves other files in the
corpus folders alone: inputs that once crashed a target are added there by
hand, named crash-<what>, and must stay.

Also writes fuzz/spec_fuzzer.dict, a libFuzzer dictionary of the keys and
string values the specs use, so that mutations produce known keys.

Usage: fuzz/make_corpus.py   (from anywhere; needs numpy)
"""

import gzip
import io
import json
import pathlib
import struct
import zipfile

import numpy as np

FUZZ = pathlib.Path(__file__).resolve().parent
REPO = FUZZ.parent
CORPUS = FUZZ / "corpus"


def put(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / name).write_bytes(data)


# ---------------------------------------------------------------- specs

# Small specs that between them use every top-level section, a user file,
# sweeps with $-expressions, profiles, claims and a LibTorch method (refused
# as a missing feature in a build without LibTorch).
SPECS = [
    "graph/planetoid.json",
    "graph/karate.json",
    "spectrum/continuous_manifold.json",
    "cne/infonce_negatives.json",
    "norms/gradient_scaling.json",
    "medical/bloodmnist.json",
]

# The example of DESIGN.md sec. 3: sweep, phases with expressions, profiles.
DESIGN_EXAMPLE = {
    "id": "spectrum/fmnist_exaggeration", "paper": "spectrum", "title": "t",
    "dataset": {"name": "fashion-mnist",
                "preprocess": [{"op": "pca", "dim": 50}]},
    "graph": {"knn": {"k": 90, "index": "Flat"}},
    "runs": [
        {"name": "tsne", "sweep": {"rho": [1, 4, 30]},
         "method": {"type": "tsne",
                    "affinity": {"type": "perplexity", "perplexity": 30},
                    "init": {"type": "pca", "std": 1e-4}, "repulsion": "fft",
                    "phases": [{"iters": 250, "exaggeration": "max(12,$rho)",
                                "momentum": 0.5},
                               {"iters": 500, "exaggeration": "$rho",
                                "momentum": 0.8}]}},
        {"name": "umap",
         "method": {"type": "umap", "k": 15, "a": 1, "b": 1, "epochs": 750}},
    ],
    "seeds": [0, 1],
    "metrics": [{"type": "knn_recall", "k": 15},
                {"type": "knn_accuracy", "k": 15}],
    "claims": [{"id": "S1", "text": "recall falls with rho",
                "check": {"type": "monotone", "run": "tsne", "over": "rho",
                          "metric": "knn_recall@15",
                          "direction": "decreasing", "tolerance": 0.005}}],
    "profiles": {"smoke": {"dataset.subsample": 1000, "seeds": [0],
                           "runs.*.method.phases.*.iters": 50}},
}


def minify(spec):
    spec = dict(spec)
    spec.pop("description", None)
    spec["title"] = "t"
    return json.dumps(spec, separators=(",", ":"))


def spec_seeds():
    for rel in SPECS:
        spec = json.loads((REPO / "experiments" / rel).read_text())
        put("spec_fuzzer", rel.replace("/", "__"), minify(spec))
    put("spec_fuzzer", "design_example.json", minify(DESIGN_EXAMPLE))
    # Near-valid: a duplicate key, a syntax error, an out-of-range value.
    put("spec_fuzzer", "near_duplicate_key.json",
        '{"id":"a/b","id":"a/c","paper":"graph","title":"t"}')
    put("spec_fuzzer", "near_syntax.json", '{"id":"a/b",\n"runs":[1,]}')
    bad = json.loads(minify(DESIGN_EXAMPLE))
    bad["runs"][0]["method"]["phases"][1]["momentum"] = 1.5
    put("spec_fuzzer", "near_momentum.json", json.dumps(bad))


def spec_dictionary():
    words = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                words.add(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and len(v) <= 24 and " " not in v:
            words.add(v)

    for path in sorted((REPO / "experiments").rglob("*.json")):
        if path.parent.name != "baselines" and path.name != "schema.json":
            walk(json.loads(path.read_text()))
    lines = ["# Keys and short string values of the repo's specs "
             "(fuzz/make_corpus.py)."]
    for w in sorted(words):
        if w and all(32 <= ord(c) < 127 and c not in '"\\' for c in w):
            lines.append('"\\"%s\\""' % w)
    (FUZZ / "spec_fuzzer.dict").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- IDX


def idx(type_code, dims, payload):
    head = bytes([0, 0, type_code, len(dims)])
    return head + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as f:
        f.write(data)
    return out.getvalue()


def idx_seeds():
    images = idx(0x08, [2, 3, 4], bytes(range(24)))
    labels = idx(0x08, [3], bytes([0, 9, 255]))
    put("idx_fuzzer", "images.idx", images)
    put("idx_fuzzer", "images.idx.gz", gz(images))
    put("idx_fuzzer", "labels.idx", labels)
    put("idx_fuzzer", "labels.idx.gz", gz(labels))
    # Near-valid: cut off, wrong data type, header claiming 4e9 images.
    put("idx_fuzzer", "near_truncated.idx", images[:-5])
    put("idx_fuzzer", "near_float.idx", idx(0x0D, [1, 1, 1], b"\0\0\0\0"))
    put("idx_fuzzer", "near_huge.idx", idx(0x08, [0xFFFFFFFF, 28, 28], b""))


# ---------------------------------------------------------------- NPY/NPZ


def npy(array):
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def npy_v2(array):
    out = io.BytesIO()
    np.lib.format.write_array(out, array, version=(2, 0), allow_pickle=False)
    return out.getvalue()


def npy_seeds():
    put("npy_fuzzer", "f4_2x3.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
    put("npy_fuzzer", "u1_labels.npy", npy(np.array([0, 1, 2], dtype="u1")))
    put("npy_fuzzer", "i8_nx1.npy", npy(np.array([[3], [1]], dtype="<i8")))
    put("npy_fuzzer", "f8_big_fortran.npy",
        npy(np.asfortranarray(np.arange(6, dtype=">f8").reshape(3, 2))))
    put("npy_fuzzer", "u1_images_v2.npy",
        npy_v2(np.zeros((2, 2, 2), dtype="u1")))
    put("npy_fuzzer", "bool_0d.npy", npy(np.array(True)))
    put("npy_fuzzer", "near_nan.npy", npy(np.array([1.0, np.nan], "<f4")))
    put("npy_fuzzer", "near_truncated.npy",
        npy(np.arange(4, dtype="<i4"))[:-3])
    put("npy_fuzzer", "near_complex.npy", npy(np.array([1j], "<c8")))


def npz(members, compressed):
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as z:
        for name, array in members.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, npy(array))
    return out.getvalue()


def medmnist(colour):
    members = {}
    for split, n in (("train", 2), ("val", 1), ("test", 1)):
        shape = (n, 2, 2, 3) if colour else (n, 2, 2)
        members[split + "_images"] = np.arange(
            np.prod(shape), dtype="u1").reshape(shape)
        members[split + "_labels"] = np.arange(n, dtype="u1").reshape(n, 1)
    return members


def npz_seeds():
    put("npz_fuzzer", "grey_stored.npz", npz(medmnist(False), False))
    put("npz_fuzzer", "colour_deflated.npz", npz(medmnist(True), True))
    missing = medmnist(False)
    del missing["val_labels"]
    put("npz_fuzzer", "near_missing_member.npz", npz(missing, False))
    put("npz_fuzzer", "near_not_zip.npz", b"PK\x03\x04 not really a zip")


# ---------------------------------------------------------------- HDF5


def h5_seeds():
    # h5_fuzzer's input drives an HDF5 writer (FuzzedDataProvider), not a
    # file format: seeds are fixed pseudo-random bytes of a few lengths.
    rng = np.random.default_rng(0)
    for size in (16, 64, 256, 1024):
        put("h5_fuzzer", "random_%d" % size, rng.bytes(size))


def h5ad_seeds():
    # Like h5_fuzzer: the input drives an HDF5 writer (X dense or sparse,
    # obs layouts), so seeds are fixed pseudo-random bytes.
    rng = np.random.default_rng(1)
    for size in (16, 64, 256, 1024):
        put("h5ad_fuzzer", "random_%d" % size, rng.bytes(size))


# ---------------------------------------------------------------- text


def csv_seeds():
    # Data file, then a NUL and the label file (fuzz/csv_fuzzer.cpp).
    put("csv_fuzzer", "header_labels",
        "gene1,\"gene, 2\",g3\r\n1,2.5,-3e2\r\n4,+5,6\r\n\r\n"
        "\0T cell\nB cell\n")
    put("csv_fuzzer", "int_labels", "1,2\n3,4\n5,6\n\0" "2\n0\n1\n")
    put("csv_fuzzer", "no_labels", "\ufeff0.5\n1e-3\n7\n")
    put("csv_fuzzer", "near_ragged", "1,2,3\n4,5\n")
    put("csv_fuzzer", "near_nan", "1,nan\n2,inf\n")
    put("csv_fuzzer", "near_label_count", "1\n2\n\0a\nb\nc\n")
    put("csv_fuzzer", "near_quote", "\"a,b\n1,2\n")


def edge_list_seeds():
    edges = "# u v\n0 1\n1,2\n2\t0 0.5\r\n\n3, 4\n4 4\n"
    labels = "0 1\n1 0\n2 1\n3 2\n4 2\n"
    put("edge_list_fuzzer", "with_labels", edges + "\0" + labels)
    put("edge_list_fuzzer", "no_labels", edges)
    put("edge_list_fuzzer", "near_unlabelled", "0 1\n1 2\n\0" + "0 1\n")
    put("edge_list_fuzzer", "near_huge_id", "0 2147483647\n")


def cifar_seeds():
    pixels = bytes(i % 256 for i in range(3072))
    put("cifar_fuzzer", "cifar10_one.bin", bytes([7]) + pixels)
    put("cifar_fuzzer", "cifar100_one.bin", bytes([3, 42]) + pixels)
    # 6146 bytes: two CIFAR-10 records, or two CIFAR-100 records.
    put("cifar_fuzzer", "both_two.bin", (bytes([1, 1]) + pixels) * 2)
    put("cifar_fuzzer", "near_bad_label.bin", bytes([200]) + pixels)


def mnist_json_seeds():
    values = ["0"] * 700 + ["0.5", "1", "0.25", "1e-3"] * 21
    put("mnist_json_fuzzer", "one_digit.json",
        '{"data":[' + ",".join(values) + "]}")
    put("mnist_json_fuzzer", "empty.json", '{"data":[]}')
    put("mnist_json_fuzzer", "near_short.json", '{"data":[0,1,0.5]}')
    put("mnist_json_fuzzer", "near_text.json", '{"data":["0"]}')


if __name__ == "__main__":
    spec_seeds()
    spec_dictionary()
    idx_seeds()
    npy_seeds()
    npz_seeds()
    h5_seeds()
    h5ad_seeds()
    csv_seeds()
    edge_list_seeds()
    cifar_seeds()
    mnist_json_seeds()
    for folder in sorted(CORPUS.iterdir()):
        files = list(folder.iterdir())
        print("%-20s %3d files %7d bytes" %
              (folder.name, len(files), sum(f.stat().st_size for f in files)))
