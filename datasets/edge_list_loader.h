#pragma once
// Graphs users bring as text files (Cora, CiteSeer, PubMed, Amazon
// Photo/Computer exported from DGL or PyG): an edge list plus a label file.
// The result is prepared as the graph paper prepares every dataset
// (papers/graph.md sec. 4): undirected, self-loops removed, only the largest
// connected component kept, unweighted.
//
// Edge file: one edge per line, "u v" or "u v w", fields separated by
// whitespace and/or commas ("u,v", "u, v", "u\tv"). u and v are node ids,
// non-negative decimal integers up to 2^31 - 1; an optional third field (a
// weight) is ignored unread. Blank lines and lines whose first non-blank
// character is '#' are skipped (a CSV header must be commented out).
// Windows line ends are accepted. The nodes are 0..max_id, max_id the largest
// id in the file; ids that occur in no edge become isolated nodes and are
// dropped with every other node outside the largest component.
//
// Label file: one "node label" pair per line, same separators, comments and
// blank lines; node is an id of the edge file, label a non-negative decimal
// integer up to 2^31 - 1. Every node that occurs in an edge line (self-loops
// included) needs exactly one label; the order of the lines is free. Labels
// of nodes that occur in no edge but are within 0..max_id are accepted and
// unused.
//
// Errors are DataError naming the file and, where one line is at fault, its
// 1-based number: "FILE:LINE: message".

#include "datasets/labeled_graph.h"

#include <string>

namespace nebench {

/// Loads `edge_file` and, when `label_file` is not empty, `label_file`, and
/// keeps the largest connected component (ties: the one holding the smallest
/// id): graph renumbered 0..n-1 in increasing original id, labels[i] and
/// original_ids[i] of new node i. Without a label file, labels is empty.
/// Throws DataError on an unreadable or malformed file, an edge file without
/// edges, a label for a node beyond max_id, a node labelled twice, or nodes
/// without a label (the message lists the first few).
LabeledGraph load_edge_list(const std::string &edge_file,
                            const std::string &label_file = "");

} // namespace nebench
