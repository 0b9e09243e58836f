#include "engine/run/plan.h"

#include "engine/core/errors.h"
#include "engine/core/spec_node.h"
#include "engine/ne/method_registry.h"

#include <algorithm>
#include <map>

namespace nebench {

namespace {
GraphSpec parse_graph(const Spec &spec) {
  GraphSpec g; // load_spec gives {} when the spec has no "graph"
  SpecNode node(spec.graph, spec.file, "graph");
  if (auto knn = node.optional_child("knn")) {
    g.k = static_cast<int>(knn->integer("k", g.k, Range::closed(1, 1000)));
    g.index = knn->string("index", g.index);
    if (g.index.empty())
      knn->fail_at("index", "must be a FAISS factory string such as \"Flat\"");
    knn->finish();
  }
  node.finish();
  return g;
}
// A run may take a parameter from a run written before it that is not swept
// (one value per seed, so the reference is unambiguous).
void check_reference(const Spec &spec, const RunSpec &run,
                     const RunValueRef &ref) {
  const auto fail = [&](const std::string &message) {
    throw SpecError(spec.file, ref.json_path, message);
  };
  const auto it = spec.run_sweep_params.find(ref.run);
  if (it == spec.run_sweep_params.end())
    fail("run \"" + ref.run + "\" does not exist in this spec");
  if (!it->second.empty())
    fail("run \"" + ref.run +
         "\" is swept; a reference needs one run per seed");
  const auto earlier =
      std::find_if(spec.runs.begin(), spec.runs.end(),
                   [&](const RunSpec &r) { return r.name == ref.run; });
  if (earlier->run_index >= run.run_index)
    fail("run \"" + ref.run + "\" must come before run \"" + run.name +
         "\" in \"runs\"");
}
// A claim on a metric that no entry of "metrics" stores could never be
// checked (it would stay inconclusive after the whole run): refused up front.
void check_claim_metrics(const SpecNode &claim, const ClaimSpec &c,
                         const std::map<std::string, std::size_t> &producer) {
  const SpecNode check = claim.child("check");
  const auto require = [&](const SpecNode &node, const std::string &metric) {
    if (metric.empty() || producer.count(metric))
      return;
    std::string known;
    for (const auto &[name, index] : producer)
      known += (known.empty() ? "" : ", ") + name;
    node.fail_at("metric",
                 "no entry of \"metrics\" stores \"" + metric +
                     "\" (stored: " + (known.empty() ? "none" : known) + ")");
  };
  require(check, c.metric);
  if (c.type == "ratio_in") {
    require(check.child("a"), c.metric_a);
    require(check.child("b"), c.metric_b);
  }
  if (c.type == "argmax_in")
    for (std::size_t i = 0; i < c.range.size(); ++i)
      if (!c.range[i].run.empty())
        require(check.child("range").at(i), c.range[i].metric);
}
} // namespace

int Plan::graph_neighbors() const {
  int k = graph.k;
  for (const auto &r : runs)
    k = std::max(k, r.method->neighbors_needed());
  for (const auto &m : metrics)
    k = std::max(k, m.k);
  return k;
}

Plan make_plan(const Spec &spec) {
  Plan plan;
  plan.spec = spec;
  plan.dataset = DatasetSpec::from_spec(
      SpecNode(spec.dataset, spec.file, "dataset"), spec.dir);
  plan.graph = parse_graph(spec);
  for (const auto &run : spec.runs) {
    PlannedRun planned;
    planned.spec = run;
    planned.method =
        make_method(SpecNode(run.method, spec.file, run.method_path));
    for (const RunValueRef &ref : planned.method->references())
      check_reference(spec, run, ref);
    plan.runs.push_back(std::move(planned));
  }
  // Stored name -> index of the entry producing it: two entries must not
  // write the same /runs/<id>/metrics attribute.
  std::map<std::string, std::size_t> producer;
  if (spec.metrics.is_array()) {
    SpecNode metrics(spec.metrics, spec.file, "metrics");
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      const SpecNode entry = metrics.at(i);
      plan.metrics.push_back(
          MetricSpec::from_spec(entry, spec.run_sweep_params));
      for (const auto &name : metric_names(plan.metrics.back())) {
        const auto [it, fresh] = producer.emplace(name, i);
        if (!fresh)
          entry.fail("produces \"" + name + "\", as metrics[" +
                     std::to_string(it->second) + "] does");
      }
    }
  }
  if (spec.claims.is_array()) {
    SpecNode claims(spec.claims, spec.file, "claims");
    // Verdicts are stored under /claims/<id>: two claims with one id would
    // overwrite each other.
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < claims.size(); ++i) {
      plan.claims.push_back(
          ClaimSpec::from_spec(claims.at(i), spec.run_sweep_params));
      const auto [it, fresh] = seen.emplace(plan.claims.back().id, i);
      if (!fresh)
        claims.at(i).fail_at("id", "duplicate claim id \"" +
                                       plan.claims.back().id + "\" (also " +
                                       "claims[" + std::to_string(it->second) +
                                       "])");
      check_claim_metrics(claims.at(i), plan.claims.back(), producer);
    }
  }
  return plan;
}

} // namespace nebench
