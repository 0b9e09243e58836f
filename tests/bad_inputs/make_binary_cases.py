#!/usr/bin/python3
"""Writes the binary inputs of the bad-input cases (IDX, NPY, NPZ, HDF5,
h5ad, an oversized spec) into their case folders.

run_cases.py calls generate(name, folder) on a fresh copy of each case, so the
committed tree holds only text; run this script by hand
(`make_binary_cases.py [CASES_DIR]`) to look at the files. Every file is
deterministic and a few KB at most: "oversized" cases are tiny files whose
header claims a huge shape.
"""

import gzip
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---- IDX (MNIST format: big-endian magic 0x0803 images, 0x0801 labels) ----

def idx_images(n, h=4, w=4, magic=0x00000803):
    pixels = bytes((i * 7) % 256 for i in range(n * h * w))
    return struct.pack(">IIII", magic, n, h, w) + pixels


def idx_labels(n):
    return struct.pack(">II", 0x00000801, n) + bytes(i % 3 for i in range(n))


def idx_pair(folder, images, labels):
    write(folder, "x.idx", images)
    write(folder, "y.idx", labels)


# ---- NPY ----

def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def npy_raw(header, data=b"", version=(1, 0)):
    """An .npy file with a hand-written header dict (padded as numpy pads)."""
    text = header.encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes(version) + struct.pack("<H", len(text)) + text + data


def matrix(n=10, d=3):
    return (np.arange(n * d, dtype=np.float32).reshape(n, d) / 7.0)


def labels(n=10):
    return (np.arange(n) % 3).astype(np.int64)


def npy_pair(folder, x, y=None):
    write(folder, "x.npy", x if isinstance(x, bytes) else npy_bytes(x))
    write(folder, "y.npy", npy_bytes(labels() if y is None else y)
          if not isinstance(y, bytes) else y)


# ---- NPZ (MedMNIST layout: {train,val,test}_{images,labels}.npy) ----

def medmnist_members(n=10, drop=None, labels_n=None):
    members = {}
    for split in ("train", "val", "test"):
        members[split + "_images.npy"] = npy_bytes(
            (np.arange(n * 4 * 4) % 256).astype(np.uint8).reshape(n, 4, 4))
        k = labels_n if (labels_n is not None and split == "train") else n
        members[split + "_labels.npy"] = npy_bytes(
            (np.arange(k) % 2).astype(np.uint8).reshape(k, 1))
    if drop:
        del members[drop]
    return members


def zip_bytes(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


# ---- HDF5 (nebench's dataset layout: /X float32[n,d], /labels int32[n]) ----

def h5_file(path, build):
    import h5py
    with h5py.File(path, "w", libver="earliest") as f:
        build(f)


def gen_h5_good(f):
    f["X"] = matrix()
    f["labels"] = labels().astype(np.int32)


def gzip_bytes(data):
    return gzip.compress(data, mtime=0)


def gen_oversized_spec(folder):
    # Valid JSON of 5 MB: a long description. The 4 MB limit refuses it
    # before parsing.
    spec = {"id": "bad_inputs/spec_oversized", "paper": "spectrum",
            "title": "t", "description": "x" * (5 * 1024 * 1024)}
    write(folder, "big.json", json.dumps(spec).encode())


def gen_npz_corrupt_member(folder):
    data = bytearray(zip_bytes(medmnist_members(), zipfile.ZIP_DEFLATED))
    # Damage the middle of the first member's compressed data (after its
    # 30-byte local header and name).
    name_len = struct.unpack("<H", data[26:28])[0]
    start = 30 + name_len
    for i in range(start + 4, start + 24):
        data[i] ^= 0x5A
    write(folder, "data.npz", bytes(data))


def gen_h5_truncated(folder):
    path = os.path.join(folder, "x.h5")
    h5_file(path, gen_h5_good)
    with open(path, "rb") as f:
        data = f.read()
    write(folder, "x.h5", data[: len(data) // 2])


def gen_h5ad(folder):
    # AnnData's on-disk layout with a sparse (CSR) X: X is a group, and
    # the labels live in /obs, not /labels.
    def build(f):
        x = f.create_group("X")
        x.attrs["encoding-type"] = "csr_matrix"
        x.attrs["shape"] = np.array([4, 3])
        x["data"] = np.ones(4, dtype=np.float32)
        x["indices"] = np.array([0, 1, 2, 0], dtype=np.int32)
        x["indptr"] = np.array([0, 1, 2, 3, 4], dtype=np.int32)
        obs = f.create_group("obs")
        obs["cell_type"] = np.array([0, 1, 0, 1], dtype=np.int32)
    h5_file(os.path.join(folder, "cells.h5ad"), build)


# ---- h5ad (AnnData >= 0.8: CSR X, categorical obs/cell_type) ----

def h5ad_csr(n=20, d=5):
    """CSR arrays of an n x d matrix with one or two values per row."""
    data, indices, indptr = [], [], [0]
    for i in range(n):
        cols = sorted({i % d, (i * 3 + 1) % d})
        indices += cols
        data += [float(i + 1)] * len(cols)
        indptr.append(len(indices))
    return (np.array(data, np.float32), np.array(indices, np.int32),
            np.array(indptr, np.int64))


def gen_cells(folder, damage=None, code_missing=None, column="cell_type",
              cut=False):
    """cells.h5ad: 20 cells x 5 genes; `damage(data, indices, indptr)` edits
    the CSR arrays, `code_missing` sets one label code to -1."""
    import h5py
    data, indices, indptr = h5ad_csr()
    if damage:
        damage(data, indices, indptr)
    codes = (np.arange(20) % 3).astype(np.int8)
    if code_missing is not None:
        codes[code_missing] = -1

    def build(f):
        x = f.create_group("X")
        x.attrs["encoding-type"] = "csr_matrix"
        x.attrs["encoding-version"] = "0.1.0"
        x.attrs["shape"] = np.array([20, 5])
        x["data"], x["indices"], x["indptr"] = data, indices, indptr
        obs = f.create_group("obs")
        obs.attrs["encoding-type"] = "dataframe"
        col = obs.create_group(column)
        col.attrs["encoding-type"] = "categorical"
        col["categories"] = np.array(["B", "NK", "T"],
                                     dtype=h5py.string_dtype())
        col["codes"] = codes
    path = os.path.join(folder, "cells.h5ad")
    h5_file(path, build)
    if cut:
        with open(path, "rb") as f:
            whole = f.read()
        write(folder, "cells.h5ad", whole[: len(whole) // 2])


def set_item(array, index, value):
    array[index] = value


def gen_idx_gz_corrupt(folder):
    data = bytearray(gzip_bytes(idx_images(10)))
    for i in range(14, len(data) - 12):
        data[i] ^= 0xA5
    write(folder, "x.idx.gz", bytes(data))


GENERATORS = {
    # IDX
    "idx_truncated": lambda d: idx_pair(d, idx_images(10)[:16 + 50], idx_labels(10)),
    "idx_wrong_magic": lambda d: idx_pair(d, idx_images(10, magic=0x00000C03), idx_labels(10)),
    "idx_labels_are_images": lambda d: idx_pair(d, idx_images(10), idx_images(10)),
    "idx_label_count_mismatch": lambda d: idx_pair(d, idx_images(10), idx_labels(9)),
    "idx_oversized_dim": lambda d: idx_pair(
        d, struct.pack(">IIII", 0x803, 4000000000, 28, 28) + bytes(48), idx_labels(10)),
    "idx_oversized_rows": lambda d: idx_pair(
        d, struct.pack(">IIII", 0x803, 2000000000, 1, 1) + bytes(48), idx_labels(10)),
    "idx_oversized_gz": lambda d: write(
        d, "x.idx.gz", gzip_bytes(struct.pack(">IIII", 0x803, 100000, 28, 28) + bytes(3 * 784))),
    "idx_gz_corrupt": gen_idx_gz_corrupt,
    "idx_trailing_data": lambda d: idx_pair(d, idx_images(10) + b"\0\0\0\0", idx_labels(10)),
    "idx_empty_file": lambda d: idx_pair(d, b"", idx_labels(10)),
    # NPY
    "npy_bad_magic": lambda d: npy_pair(d, b"PK\x03\x04 this is not numpy data at all"),
    "npy_bad_header": lambda d: npy_pair(
        d, npy_raw("{'descr': '<f4', 'fortran_order': False, }", bytes(40))),
    "npy_header_syntax": lambda d: npy_pair(d, npy_raw("[1, 2, 3]", bytes(40))),
    "npy_unsupported_dtype": lambda d: npy_pair(d, npy_bytes(np.ones((10, 3), dtype=np.complex64))),
    "npy_object_dtype": lambda d: npy_pair(
        d, npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (10, 3), }", bytes(240))),
    "npy_truncated": lambda d: npy_pair(d, npy_bytes(matrix())[:-17]),
    "npy_fortran_3d": lambda d: npy_pair(
        d, npy_bytes(np.asfortranarray(np.ones((10, 2, 2), dtype=np.float32)))),
    "npy_oversized": lambda d: npy_pair(
        d, npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000, 1000), }", bytes(64))),
    "npy_oversized_within_limit": lambda d: npy_pair(
        d, npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }", bytes(64))),
    "npy_nan_value": lambda d: npy_pair(d, np.where(
        np.arange(30).reshape(10, 3) == 7, np.nan, matrix()).astype(np.float32)),
    "npy_labels_fractional": lambda d: npy_pair(d, matrix(), np.full(10, 0.5)),
    "npy_label_count_mismatch": lambda d: npy_pair(d, matrix(), labels(11)),
    "npy_labels_2d": lambda d: npy_pair(d, matrix(), np.zeros((10, 3), dtype=np.int32)),
    "npy_scalar": lambda d: npy_pair(d, np.float32(3.0)),
    "npy_bad_version": lambda d: npy_pair(
        d, npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 3), }", bytes(120), (9, 0))),
    # NPZ
    "npz_not_zip": lambda d: write(d, "data.npz", npy_bytes(matrix())),
    "npz_missing_member": lambda d: write(d, "data.npz", zip_bytes(medmnist_members(drop="val_images.npy"))),
    "npz_corrupt_member": gen_npz_corrupt_member,
    "npz_truncated": lambda d: write(d, "data.npz", zip_bytes(medmnist_members())[:700]),
    "npz_member_bad_npy": lambda d: write(d, "data.npz", zip_bytes(
        {**medmnist_members(), "train_labels.npy": b"not an npy file"})),
    "npz_labels_mismatch": lambda d: write(d, "data.npz", zip_bytes(medmnist_members(labels_n=9))),
    # HDF5
    "h5_missing_x": lambda d: h5_file(os.path.join(d, "x.h5"),
                                      lambda f: f.create_dataset("labels", data=labels().astype(np.int32))),
    "h5_wrong_rank": lambda d: h5_file(os.path.join(d, "x.h5"), lambda f: (
        f.create_dataset("X", data=np.ones(10, dtype=np.float32)),
        f.create_dataset("labels", data=labels().astype(np.int32)))),
    "h5_labels_mismatch": lambda d: h5_file(os.path.join(d, "x.h5"), lambda f: (
        f.create_dataset("X", data=matrix()),
        f.create_dataset("labels", data=labels(7).astype(np.int32)))),
    "h5_truncated": gen_h5_truncated,
    "h5ad_as_h5": gen_h5ad,
    # h5ad
    "h5ad_not_hdf5": lambda d: write(d, "cells.h5ad", b"cell,gene\n1,2\n"),
    "h5ad_truncated": lambda d: gen_cells(d, cut=True),
    "h5ad_indptr_not_monotone": lambda d: gen_cells(
        d, damage=lambda data, indices, indptr: set_item(indptr, 3, 1)),
    "h5ad_index_out_of_range": lambda d: gen_cells(
        d, damage=lambda data, indices, indptr: set_item(indices, 5, 7)),
    "h5ad_missing_obs_column": lambda d: gen_cells(d, column="louvain"),
    "h5ad_code_missing": lambda d: gen_cells(d, code_missing=7),
    "h5ad_labels_not_obs": gen_cells,
    # spec
    "spec_oversized": gen_oversized_spec,
}


def generate(name, folder):
    """Writes case `name`'s binary inputs into `folder` (no-op for text-only
    cases)."""
    gen = GENERATORS.get(name)
    if gen:
        gen(folder)


def main():
    cases = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases")
    for name in sorted(GENERATORS):
        folder = os.path.join(cases, name)
        if not os.path.isdir(folder):
            sys.exit(f"{folder}: no such case folder")
        generate(name, folder)
    print(f"wrote the binary inputs of {len(GENERATORS)} cases under {cases}")


if __name__ == "__main__":
    main()
