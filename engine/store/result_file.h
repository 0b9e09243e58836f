#pragma once
// The HDF5 result store (DESIGN section 4, results/README.md). A run writes
// to FILE.tmp; each finished run is flushed and the file closed and reopened,
// so an interruption (or kill -9 between writes) leaves every completed run
// readable and `nebench run` resumes at the first incomplete one. Only the
// complete file is renamed to FILE, atomically.

#include "engine/core/h5_io.h"
#include "engine/core/knn_graph.h"
#include "engine/store/run_record.h"
#include "metrics/claim_check.h"
#include "metrics/summary_row.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nebench {

constexpr std::int64_t kLayoutVersion = 1;

/// Root attributes: what was run, from which code, where and when.
struct Provenance {
  std::string spec_id, paper, title, profile, spec_file;
  std::string spec_json; ///< resolved spec
  std::string git_commit;
  bool git_dirty = false;
  nlohmann::json versions;
  std::string host, device = "cpu", started_utc;
  std::int64_t threads = 1;
};

/// /dataset group.
struct DatasetRecord {
  std::string name, sha256;
  std::int64_t n = 0, d = 0, d_raw = 0;
  nlohmann::json preprocess = nlohmann::json::array();
  std::vector<std::string> class_names;
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> indices;
  /// Image datasets: [channels, height, width] of each raw row (channel-
  /// major, datasets/image_shape.h), so that readers can show the images
  /// and know the data are images even after PCA; empty for data that are
  /// not images (and in files written before the shape was stored).
  std::vector<std::int64_t> image_shape;
  /// Image datasets: the value of a white pixel in the raw data (255 for
  /// byte images, 1 for [0, 1] data, Dataset::pixel_max); 0 when not images.
  double pixel_max = 0;
};

class ResultFile {
public:
  /// Creates a new file (truncating any existing one).
  static ResultFile create(const std::string &path);
  /// Opens an existing file for reading (and writing when `writable`).
  static ResultFile open(const std::string &path, bool writable = false);

  const std::string &path() const { return path_; }

  void write_provenance(const Provenance &p);
  Provenance read_provenance() const;
  void set_status(const std::string &status, const std::string &finished_utc);
  std::string status() const;

  /// Writes /dataset; image_shape and pixel_max become attributes of it
  /// only for images (image_shape of 3 positive values with pixel_max > 0;
  /// NebenchError for any other non-empty combination).
  void write_dataset(const DatasetRecord &d);
  /// Reads /dataset. Without the image attributes (data that are not
  /// images, older files) image_shape is empty and pixel_max 0; DataError
  /// when only one of them is there or image_shape is not 3 integers.
  DatasetRecord read_dataset() const;
  bool has_dataset() const;

  void write_graph(const KnnGraph &g, const std::string &index,
                   double build_seconds);
  KnnGraph read_graph() const;
  bool has_graph() const;

  void write_run(const RunRecord &r);
  RunRecord read_run(const std::string &id, bool with_embedding = true) const;
  std::vector<std::string> run_ids() const;
  bool has_run(const std::string &id) const;
  /// The stored embedding of a complete run (float32 n x dim; empty for a
  /// failed run without one), without reading its trace and metrics.
  Matrix read_embedding(const std::string &id) const;
  /// Adds (or overwrites) metric attributes of a complete run: metrics
  /// computed after the run was written, such as the cross-run
  /// distance correlations (metrics/cross_run_metrics.h).
  void add_run_metrics(const std::string &id,
                       const std::map<std::string, double> &metrics);

  /// Rewrites /summary from rows in the given order.
  void write_summary(const std::vector<SummaryRow> &rows);
  std::vector<SummaryRow> read_summary() const;

  /// Rewrites /claims.
  void write_claims(const std::vector<ClaimResult> &claims);
  std::vector<ClaimResult> read_claims() const;

  /// Flushes everything to disk.
  void flush();
  void close();

private:
  ResultFile(std::string path, std::unique_ptr<H5::H5File> file);
  std::string path_;
  std::unique_ptr<H5::H5File> file_;
};

/// Builds a summary row (what claims and baselines read) from a run record.
SummaryRow summary_row_of(const RunRecord &r);

} // namespace nebench
