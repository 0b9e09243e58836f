// Raw pixels for image methods (Problem::pixels): kept when a planned method
// needs_pixels(), taken after subsampling and before preprocessing, scaled
// by 1/pixel_max, and refused for data that are not images.

#include "datasets/rotated_shapes.h"
#include "datasets/subsample.h"
#include "engine/core/errors.h"
#include "engine/run/plan.h"
#include "engine/run/problem.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace nebench {
namespace {

namespace fs = std::filesystem;

/// A method that only records what it was given.
class PixelProbe : public Method {
public:
  explicit PixelProbe(bool needs) : needs_(needs) {}
  std::string type() const override { return "pixel_probe"; }
  int neighbors_needed() const override { return 4; }
  double estimated_bytes(std::int64_t) const override { return 0; }
  bool needs_pixels() const override { return needs_; }
  MethodOutput run(const Problem &problem, const RunContext &) override {
    seen = problem.pixels;
    MethodOutput out;
    out.embedding = MatrixD(problem.X->rows, 2);
    return out;
  }
  const Matrix *seen = nullptr;

private:
  bool needs_;
};

/// Pixel j of image i of the test IDX file (2 x 3 images).
unsigned char pixel(std::int64_t i, std::int64_t j) {
  return static_cast<unsigned char>((i * 37 + j * 11) % 256);
}

class ProblemPixels : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nebench_pixels_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // 30 IDX images of 2 x 3 (magic 0x00000803, dims big-endian).
    std::vector<unsigned char> b = {0, 0, 8, 3, 0, 0, 0, 30,
                                    0, 0, 0, 2, 0, 0, 0, 3};
    for (std::int64_t i = 0; i < 30; ++i)
      for (std::int64_t j = 0; j < 6; ++j)
        b.push_back(pixel(i, j));
    idx_ = (dir_ / "images-idx3-ubyte").string();
    std::ofstream(idx_, std::ios::binary)
        .write(reinterpret_cast<const char *>(b.data()),
               static_cast<std::streamsize>(b.size()));
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// A plan over `dataset` with one run of a PixelProbe.
  Plan plan(const DatasetSpec &dataset, bool needs) {
    Plan p;
    p.spec.file = "pixels.json";
    p.dataset = dataset;
    p.graph.k = 4;
    PlannedRun run;
    run.spec.name = "probe";
    run.spec.method_path = "runs[0].method";
    run.method = std::make_shared<PixelProbe>(needs);
    p.runs.push_back(run);
    return p;
  }

  DatasetSpec idx_spec() const {
    DatasetSpec s;
    s.path = idx_;
    s.format = "idx";
    s.subsample = 12;
    s.subsample_seed = 4;
    s.preprocess = {{"scale", 0, 0.5}, {"pca", 3, 1}};
    return s;
  }

  fs::path dir_;
  std::string idx_;
};

TEST_F(ProblemPixels, RawSubsampledRowsScaledToUnit) {
  Plan p = plan(idx_spec(), true);
  const PreparedProblem prepared =
      prepare_problem(p, NEBENCH_SOURCE_DIR, nullptr, RunContext{});
  // X went through scale and PCA ...
  ASSERT_EQ(prepared.dataset.X.rows, 12);
  EXPECT_EQ(prepared.dataset.X.cols, 3);
  // ... the pixels did not: the subsampled rows of the file, / 255.
  const Problem view = prepared.view();
  ASSERT_NE(view.pixels, nullptr);
  EXPECT_EQ(view.image, (ImageShape{1, 2, 3}));
  ASSERT_EQ(view.pixels->rows, 12);
  ASSERT_EQ(view.pixels->cols, 6);
  const auto &indices = prepared.dataset.indices;
  ASSERT_EQ(indices.size(), 12u);
  EXPECT_NE(indices.back(), 11); // really a subsample, not the first rows
  for (std::int64_t r = 0; r < 12; ++r)
    for (std::int64_t j = 0; j < 6; ++j)
      EXPECT_FLOAT_EQ((*view.pixels)(r, j),
                      pixel(indices[static_cast<std::size_t>(r)], j) / 255.0f)
          << r << " " << j;
  // The method sees them through the view.
  auto &probe = static_cast<PixelProbe &>(*p.runs[0].method);
  probe.run(view, RunContext{});
  EXPECT_EQ(probe.seen, &prepared.pixels);
}

TEST_F(ProblemPixels, NoPixelsUnlessAMethodNeedsThem) {
  const PreparedProblem prepared = prepare_problem(
      plan(idx_spec(), false), NEBENCH_SOURCE_DIR, nullptr, RunContext{});
  EXPECT_EQ(prepared.view().pixels, nullptr);
  EXPECT_TRUE(prepared.pixels.data.empty());
  // The image shape is passed on all the same.
  EXPECT_EQ(prepared.view().image, (ImageShape{1, 2, 3}));
}

TEST_F(ProblemPixels, SyntheticImagesKeepTheirValues) {
  DatasetSpec s;
  s.name = "rotated-shapes";
  s.options = json::parse(R"({"n": 40, "size": 8, "channels": 3, "seed": 5})");
  s.subsample = 25;
  s.preprocess = {{"scale", 0, 3.0}};
  const PreparedProblem prepared =
      prepare_problem(plan(s, true), NEBENCH_SOURCE_DIR, nullptr, RunContext{});
  RotatedShapesOptions o;
  o.n = 40;
  o.size = 8;
  o.channels = 3;
  o.seed = 5;
  const Dataset expected = subsample_dataset(make_rotated_shapes(o), 25, 0);
  EXPECT_EQ(prepared.view().image, (ImageShape{3, 8, 8}));
  ASSERT_TRUE(prepared.has_pixels);
  EXPECT_EQ(prepared.pixels.data, expected.X.data); // pixel_max 1
  EXPECT_FLOAT_EQ(prepared.dataset.X.data[7], 3.0f * expected.X.data[7]);
}

TEST_F(ProblemPixels, DataThatAreNotImagesAreRefused) {
  DatasetSpec s;
  s.name = "gaussian-mixture";
  s.options =
      json::parse(R"({"n_clusters": 2, "n_per_cluster": 10, "dim": 3})");
  try {
    prepare_problem(plan(s, true), NEBENCH_SOURCE_DIR, nullptr, RunContext{});
    FAIL() << "expected SpecError";
  } catch (const SpecError &e) {
    EXPECT_EQ(e.json_path(), "runs[0].method");
    EXPECT_NE(std::string(e.what()).find(
                  "the method needs images, but dataset \"gaussian-mixture\" "
                  "is not an image dataset"),
              std::string::npos)
        << e.what();
  }
  // Without an image method the same data are fine.
  EXPECT_EQ(
      prepare_problem(plan(s, false), NEBENCH_SOURCE_DIR, nullptr, RunContext{})
          .dataset.X.rows,
      20);
}

} // namespace
} // namespace nebench
