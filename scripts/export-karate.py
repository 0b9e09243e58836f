#!/usr/bin/python3
"""Exports Zachary's karate club (Debian's python3-networkx,
networkx.karate_club_graph()) as the edge list and node labels nebench's
registered dataset "karate" reads (datasets/registry.json, kind edge_list):

  OUT/karate.edges   one "u v" line per undirected edge (78 edges, 34 nodes)
  OUT/karate.labels  one "node label" line per node: 0 = "Mr. Hi", 1 = "Officer"

The files are written byte-identically on every run, so the registry can
pin their sha256. Usage: scripts/export-karate.py [OUT] (default
datasets/cache).
"""
import pathlib
import sys

import networkx

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                   pathlib.Path(__file__).resolve().parent.parent / "datasets" / "cache")
out.mkdir(parents=True, exist_ok=True)
g = networkx.karate_club_graph()
edges = sorted((min(u, v), max(u, v)) for u, v in g.edges())
clubs = {"Mr. Hi": 0, "Officer": 1}
lines = ["# Zachary's karate club (networkx.karate_club_graph), undirected"]
lines += [f"{u} {v}" for u, v in edges]
(out / "karate.edges").write_text("\n".join(lines) + "\n")
labels = ["# node faction: 0 = Mr. Hi, 1 = Officer"]
labels += [f"{n} {clubs[g.nodes[n]['club']]}" for n in sorted(g.nodes())]
(out / "karate.labels").write_text("\n".join(labels) + "\n")
print(f"wrote {out / 'karate.edges'} ({len(edges)} edges) and {out / 'karate.labels'} ({g.number_of_nodes()} nodes)")
