#include "engine/store/result_file.h"

#include "engine/core/errors.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace nebench {

namespace {
H5::Group root(H5::H5File &f) { return f.openGroup("/"); }

std::string str_or(const H5::H5Object &o, const std::string &name,
                   const std::string &fallback = "") {
  return h5::has_attr(o, name) ? h5::read_string_attr(o, name) : fallback;
}

// /dataset's image attributes: image_shape int64[3] (as the dataset cache's
// int32[3], datasets/dataset_cache.h; h5py reads it as an array) and
// pixel_max double, both absent for data that are not images.
/// True for an image record, false for other data; NebenchError for a
/// record that is neither (checked before anything is written).
bool is_image_record(const DatasetRecord &d) {
  if (d.image_shape.empty() && d.pixel_max == 0)
    return false;
  const bool positive = std::all_of(d.image_shape.begin(), d.image_shape.end(),
                                    [](std::int64_t v) { return v > 0; });
  if (d.image_shape.size() != 3 || !positive || !(d.pixel_max > 0))
    throw NebenchError("result file dataset record: an image dataset needs "
                       "image_shape [channels, height, width] of positive "
                       "values and pixel_max > 0 (got " +
                       std::to_string(d.image_shape.size()) +
                       " shape values, pixel_max " +
                       std::to_string(d.pixel_max) + ")");
  return true;
}

void write_image_attrs(H5::Group &g, const DatasetRecord &d, bool images) {
  for (const char *name : {"image_shape", "pixel_max"})
    if (g.attrExists(name))
      g.removeAttr(name);
  if (!images)
    return;
  const hsize_t three = 3;
  auto a = g.createAttribute("image_shape", H5::PredType::NATIVE_INT64,
                             H5::DataSpace(1, &three));
  a.write(H5::PredType::NATIVE_INT64, d.image_shape.data());
  h5::write_attr(g, "pixel_max", d.pixel_max);
}

void read_image_attrs(const H5::Group &g, const std::string &path,
                      DatasetRecord &d) {
  const bool has_shape = g.attrExists("image_shape");
  const bool has_max = g.attrExists("pixel_max");
  if (!has_shape && !has_max)
    return; // not images, or a file from before images were recorded
  if (!has_shape || !has_max)
    throw DataError(path, "/dataset has only one of the attributes "
                          "image_shape and pixel_max (images need both)");
  auto a = g.openAttribute("image_shape");
  const H5::DataSpace space = a.getSpace();
  if (a.getTypeClass() != H5T_INTEGER || space.getSimpleExtentNdims() != 1 ||
      space.getSimpleExtentNpoints() != 3)
    throw DataError(path, "/dataset attribute image_shape must hold 3 "
                          "integers (channels, height, width)");
  d.image_shape.assign(3, 0);
  a.read(H5::PredType::NATIVE_INT64, d.image_shape.data());
  d.pixel_max = h5::read_double_attr(g, "pixel_max");
  for (std::int64_t v : d.image_shape)
    if (v < 1 || !(d.pixel_max > 0))
      throw DataError(path, "/dataset attributes image_shape and pixel_max "
                            "must be positive");
}
} // namespace

ResultFile::ResultFile(std::string path, std::unique_ptr<H5::H5File> file)
    : path_(std::move(path)), file_(std::move(file)) {}

ResultFile ResultFile::create(const std::string &path) {
  h5::quiet();
  std::filesystem::path p(path);
  if (p.has_parent_path())
    std::filesystem::create_directories(p.parent_path());
  try {
    return ResultFile(path, std::make_unique<H5::H5File>(path, H5F_ACC_TRUNC));
  } catch (const H5::Exception &e) {
    throw DataError(path, "cannot create result file: " + e.getDetailMsg());
  }
}

ResultFile ResultFile::open(const std::string &path, bool writable) {
  h5::quiet();
  if (!std::filesystem::exists(path))
    throw DataError(path, "result file does not exist");
  try {
    if (!H5::H5File::isHdf5(path))
      throw DataError(path, "not an HDF5 file");
    return ResultFile(path,
                      std::make_unique<H5::H5File>(
                          path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY));
  } catch (const H5::Exception &e) {
    throw DataError(path, "cannot open result file (damaged or truncated?): " +
                              e.getDetailMsg());
  }
}

void ResultFile::write_provenance(const Provenance &p) {
  auto r = root(*file_);
  h5::write_attr(r, "layout_version", kLayoutVersion);
  h5::write_attr(r, "spec_id", p.spec_id);
  h5::write_attr(r, "paper", p.paper);
  h5::write_attr(r, "title", p.title);
  h5::write_attr(r, "profile", p.profile);
  h5::write_attr(r, "spec_file", p.spec_file);
  h5::write_attr(r, "spec_json", p.spec_json);
  h5::write_attr(r, "git_commit", p.git_commit);
  h5::write_attr(r, "git_dirty", static_cast<std::int64_t>(p.git_dirty));
  h5::write_attr(r, "versions", p.versions.dump());
  h5::write_attr(r, "host", p.host);
  h5::write_attr(r, "threads", p.threads);
  h5::write_attr(r, "device", p.device);
  h5::write_attr(r, "started_utc", p.started_utc);
  h5::write_attr(r, "finished_utc", std::string());
  h5::write_attr(r, "status", std::string("partial"));
}

Provenance ResultFile::read_provenance() const {
  auto r = root(*file_);
  if (!h5::has_attr(r, "layout_version"))
    throw DataError(path_, "not a nebench result file (no layout_version)");
  const auto version = h5::read_int_attr(r, "layout_version");
  if (version != kLayoutVersion)
    throw DataError(path_, "result layout version " + std::to_string(version) +
                               " is not supported (expected " +
                               std::to_string(kLayoutVersion) + ")");
  Provenance p;
  p.spec_id = h5::read_string_attr(r, "spec_id");
  p.paper = str_or(r, "paper");
  p.title = str_or(r, "title");
  p.profile = h5::read_string_attr(r, "profile");
  p.spec_file = str_or(r, "spec_file");
  p.spec_json = h5::read_string_attr(r, "spec_json");
  p.git_commit = str_or(r, "git_commit");
  p.git_dirty =
      h5::has_attr(r, "git_dirty") && h5::read_int_attr(r, "git_dirty");
  const auto versions = str_or(r, "versions", "{}");
  p.versions = nlohmann::json::parse(versions, nullptr, false);
  p.host = str_or(r, "host");
  p.device = str_or(r, "device", "cpu");
  p.started_utc = str_or(r, "started_utc");
  p.threads = h5::has_attr(r, "threads") ? h5::read_int_attr(r, "threads") : 0;
  return p;
}

void ResultFile::set_status(const std::string &status,
                            const std::string &finished_utc) {
  auto r = root(*file_);
  h5::write_attr(r, "status", status);
  h5::write_attr(r, "finished_utc", finished_utc);
}

std::string ResultFile::status() const {
  return str_or(root(*file_), "status", "partial");
}

void ResultFile::write_dataset(const DatasetRecord &d) {
  const bool images = is_image_record(d);
  auto r = root(*file_);
  auto g = h5::require_group(r, "dataset");
  h5::write_attr(g, "name", d.name);
  h5::write_attr(g, "sha256", d.sha256);
  h5::write_attr(g, "n", d.n);
  h5::write_attr(g, "d", d.d);
  h5::write_attr(g, "d_raw", d.d_raw);
  h5::write_attr(g, "preprocess_json", d.preprocess.dump());
  h5::write_attr(g, "class_names_json", nlohmann::json(d.class_names).dump());
  h5::write_vector(g, "labels", d.labels);
  h5::write_vector(g, "indices", d.indices);
  write_image_attrs(g, d, images);
}

bool ResultFile::has_dataset() const {
  return h5::exists(root(*file_), "dataset");
}

DatasetRecord ResultFile::read_dataset() const {
  auto g = file_->openGroup("/dataset");
  DatasetRecord d;
  d.name = h5::read_string_attr(g, "name");
  d.sha256 = h5::read_string_attr(g, "sha256");
  d.n = h5::read_int_attr(g, "n");
  d.d = h5::read_int_attr(g, "d");
  d.d_raw = h5::read_int_attr(g, "d_raw");
  d.preprocess =
      nlohmann::json::parse(h5::read_string_attr(g, "preprocess_json"));
  d.class_names =
      nlohmann::json::parse(h5::read_string_attr(g, "class_names_json"))
          .get<std::vector<std::string>>();
  d.labels = h5::read_vector<std::int32_t>(g, "labels");
  d.indices = h5::read_vector<std::int64_t>(g, "indices");
  read_image_attrs(g, path_, d);
  return d;
}

void ResultFile::write_graph(const KnnGraph &kg, const std::string &index,
                             double build_seconds) {
  auto r = root(*file_);
  auto g = h5::require_group(r, "graph");
  h5::write_attr(g, "k", static_cast<std::int64_t>(kg.k));
  h5::write_attr(g, "index", index);
  h5::write_attr(g, "build_seconds", build_seconds);
  DenseMatrix<std::int64_t> idx(kg.n, kg.k);
  idx.data = kg.indices;
  Matrix dist(kg.n, kg.k);
  dist.data = kg.distances;
  h5::write_matrix(g, "indices", idx);
  h5::write_matrix(g, "distances", dist);
}

bool ResultFile::has_graph() const { return h5::exists(root(*file_), "graph"); }

KnnGraph ResultFile::read_graph() const {
  auto g = file_->openGroup("/graph");
  auto idx = h5::read_matrix<std::int64_t>(g, "indices");
  auto dist = h5::read_matrix<float>(g, "distances");
  if (idx.rows != dist.rows || idx.cols != dist.cols)
    throw DataError(path_, "/graph indices and distances differ in shape");
  KnnGraph kg;
  kg.n = idx.rows;
  kg.k = static_cast<int>(idx.cols);
  kg.indices = std::move(idx.data);
  kg.distances = std::move(dist.data);
  return kg;
}

void ResultFile::write_run(const RunRecord &rec) {
  auto r = root(*file_);
  auto runs = h5::require_group(r, "runs");
  if (h5::exists(runs, rec.id))
    runs.unlink(rec.id);
  auto g = runs.createGroup(rec.id);
  h5::write_attr(g, "name", rec.name);
  h5::write_attr(g, "params_json", rec.params.dump());
  h5::write_attr(g, "seed", static_cast<std::int64_t>(rec.seed));
  h5::write_attr(g, "method_json", rec.method.dump());
  h5::write_attr(g, "wall_seconds", rec.wall_seconds);
  h5::write_attr(g, "status", rec.status);
  h5::write_attr(g, "error", rec.error);
  h5::write_attr(g, "started_utc", rec.started_utc);
  h5::write_matrix(g, "embedding", rec.embedding);
  auto trace = g.createGroup("trace");
  for (const auto &[column, values] : rec.trace.columns)
    h5::write_vector(trace, column, values);
  auto metrics = g.createGroup("metrics");
  for (const auto &[name, value] : rec.metrics)
    h5::write_attr(metrics, name, value);
  // Written last: a run is complete only once this attribute exists.
  h5::write_attr(g, "complete", static_cast<std::int64_t>(1));
}

bool ResultFile::has_run(const std::string &id) const {
  auto r = root(*file_);
  if (!h5::exists(r, "runs"))
    return false;
  auto runs = file_->openGroup("/runs");
  if (!h5::exists(runs, id))
    return false;
  auto g = runs.openGroup(id);
  return h5::has_attr(g, "complete");
}

std::vector<std::string> ResultFile::run_ids() const {
  auto r = root(*file_);
  if (!h5::exists(r, "runs"))
    return {};
  return h5::children(file_->openGroup("/runs"));
}

RunRecord ResultFile::read_run(const std::string &id,
                               bool with_embedding) const {
  if (!has_run(id))
    throw DataError(path_, "no complete run '" + id + "'");
  auto g = file_->openGroup("/runs/" + id);
  RunRecord rec;
  rec.id = id;
  rec.name = h5::read_string_attr(g, "name");
  rec.params = nlohmann::json::parse(h5::read_string_attr(g, "params_json"));
  rec.seed = static_cast<std::uint64_t>(h5::read_int_attr(g, "seed"));
  rec.method = nlohmann::json::parse(h5::read_string_attr(g, "method_json"));
  rec.wall_seconds = h5::read_double_attr(g, "wall_seconds");
  rec.status = h5::read_string_attr(g, "status");
  rec.error = h5::read_string_attr(g, "error");
  rec.started_utc = str_or(g, "started_utc");
  if (with_embedding)
    rec.embedding = h5::read_matrix<float>(g, "embedding");
  auto trace = g.openGroup("trace");
  for (const auto &column : h5::children(trace))
    rec.trace.columns[column] = h5::read_vector<double>(trace, column);
  auto metrics = g.openGroup("metrics");
  for (const auto &name : h5::attr_names(metrics))
    rec.metrics[name] = h5::read_double_attr(metrics, name);
  return rec;
}

Matrix ResultFile::read_embedding(const std::string &id) const {
  if (!has_run(id))
    throw DataError(path_, "no complete run '" + id + "'");
  return h5::read_matrix<float>(file_->openGroup("/runs/" + id), "embedding");
}

void ResultFile::add_run_metrics(const std::string &id,
                                 const std::map<std::string, double> &metrics) {
  if (!has_run(id))
    throw DataError(path_, "cannot add metrics: no complete run '" + id + "'");
  auto g = file_->openGroup("/runs/" + id + "/metrics");
  for (const auto &[name, value] : metrics)
    h5::write_attr(g, name, value);
}

void ResultFile::write_summary(const std::vector<SummaryRow> &rows) {
  auto r = root(*file_);
  if (h5::exists(r, "summary"))
    r.unlink("summary");
  auto g = r.createGroup("summary");
  std::vector<std::string> ids, names, params, statuses, errors;
  std::vector<std::int64_t> seeds;
  std::vector<double> seconds;
  std::set<std::string> metric_names;
  for (const auto &row : rows) {
    ids.push_back(row.run_id);
    names.push_back(row.run_name);
    params.push_back(row.params.dump());
    statuses.push_back(row.status);
    errors.push_back(row.error);
    seeds.push_back(static_cast<std::int64_t>(row.seed));
    seconds.push_back(row.wall_seconds);
    for (const auto &[m, v] : row.metrics)
      metric_names.insert(m);
  }
  h5::write_strings(g, "run_id", ids);
  h5::write_strings(g, "name", names);
  h5::write_strings(g, "params_json", params);
  h5::write_strings(g, "status", statuses);
  h5::write_strings(g, "error", errors);
  h5::write_vector(g, "seed", seeds);
  h5::write_vector(g, "wall_seconds", seconds);
  auto mg = g.createGroup("metrics");
  for (const auto &m : metric_names) {
    std::vector<double> column;
    for (const auto &row : rows) {
      auto it = row.metrics.find(m);
      column.push_back(it == row.metrics.end()
                           ? std::numeric_limits<double>::quiet_NaN()
                           : it->second);
    }
    h5::write_vector(mg, m, column);
  }
}

std::vector<SummaryRow> ResultFile::read_summary() const {
  auto r = root(*file_);
  if (!h5::exists(r, "summary"))
    return {};
  auto g = file_->openGroup("/summary");
  const auto ids = h5::read_strings(g, "run_id");
  const auto names = h5::read_strings(g, "name");
  const auto params = h5::read_strings(g, "params_json");
  const auto statuses = h5::read_strings(g, "status");
  const auto errors = h5::read_strings(g, "error");
  const auto seeds = h5::read_vector<std::int64_t>(g, "seed");
  const auto seconds = h5::read_vector<double>(g, "wall_seconds");
  std::vector<SummaryRow> rows(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    rows[i].run_id = ids[i];
    rows[i].run_name = names.at(i);
    rows[i].params = nlohmann::json::parse(params.at(i));
    rows[i].status = statuses.at(i);
    rows[i].error = errors.at(i);
    rows[i].seed = static_cast<std::uint64_t>(seeds.at(i));
    rows[i].wall_seconds = seconds.at(i);
  }
  auto mg = g.openGroup("metrics");
  for (const auto &m : h5::children(mg)) {
    const auto column = h5::read_vector<double>(mg, m);
    for (std::size_t i = 0; i < rows.size() && i < column.size(); ++i)
      if (!std::isnan(column[i]))
        rows[i].metrics[m] = column[i];
  }
  return rows;
}

void ResultFile::write_claims(const std::vector<ClaimResult> &claims) {
  auto r = root(*file_);
  if (h5::exists(r, "claims"))
    r.unlink("claims");
  auto g = r.createGroup("claims");
  for (const auto &c : claims) {
    auto cg = g.createGroup(c.id);
    h5::write_attr(cg, "text", c.text);
    h5::write_attr(cg, "verdict", c.verdict);
    h5::write_attr(cg, "check_json", c.check.dump());
    h5::write_attr(cg, "observed_json", c.observed.dump());
    h5::write_attr(cg, "explanation", c.explanation);
    h5::write_attr(cg, "caveat", c.caveat);
  }
}

std::vector<ClaimResult> ResultFile::read_claims() const {
  auto r = root(*file_);
  if (!h5::exists(r, "claims"))
    return {};
  auto g = file_->openGroup("/claims");
  std::vector<ClaimResult> out;
  for (const auto &id : h5::children(g)) {
    auto cg = g.openGroup(id);
    ClaimResult c;
    c.id = id;
    c.text = h5::read_string_attr(cg, "text");
    c.verdict = h5::read_string_attr(cg, "verdict");
    c.check = nlohmann::json::parse(h5::read_string_attr(cg, "check_json"));
    c.observed =
        nlohmann::json::parse(h5::read_string_attr(cg, "observed_json"));
    c.explanation = str_or(cg, "explanation");
    c.caveat = str_or(cg, "caveat"); // absent in files written before it
    out.push_back(std::move(c));
  }
  return out;
}

void ResultFile::flush() { file_->flush(H5F_SCOPE_GLOBAL); }

void ResultFile::close() {
  if (file_) {
    file_->close();
    file_.reset();
  }
}

SummaryRow summary_row_of(const RunRecord &r) {
  SummaryRow row;
  row.run_id = r.id;
  row.run_name = r.name;
  row.params = r.params;
  row.seed = r.seed;
  row.status = r.status;
  row.error = r.error;
  row.wall_seconds = r.wall_seconds;
  row.metrics = r.metrics;
  return row;
}

} // namespace nebench
