#pragma once
// Area under the ROC curve of a score for a binary outcome: the norms
// paper's "AUROC(norm -> kNN-correct)" (protocol E(b) of papers/
// tsimcne_medical_norms.md) and the graph paper's edge-reconstruction AUC
// (papers/graph.md sec. 3.5).

#include <vector>

namespace nebench {

/// P(score of a random positive > score of a random negative), ties
/// counted 1/2: the Mann-Whitney U statistic over n_pos * n_neg, from the
/// average ranks of all scores. NaN when either class is empty. Throws
/// NebenchError when the sizes differ or a score is NaN.
double roc_auc(const std::vector<double> &scores,
               const std::vector<bool> &positive);

} // namespace nebench
