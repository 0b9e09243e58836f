#include "datasets/rotated_shapes.h"
#include "datasets/synthetic.h"
#include "engine/core/errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace nebench {
namespace {

RotatedShapesOptions small(std::int64_t n = 200, std::int64_t classes = 4) {
  RotatedShapesOptions o;
  o.n = n;
  o.classes = classes;
  o.seed = 3;
  return o;
}

std::string spec_error(const std::string &options) {
  try {
    generate_synthetic("rotated-shapes", SpecNode(json::parse(options),
                                                  "s.json", "dataset.options"));
  } catch (const SpecError &e) {
    return e.what();
  }
  return "(no SpecError)";
}

/// A noise-free, centred render of `draw` at 28 px.
std::vector<float> render(ShapeDraw d) {
  d.noise = 0;
  std::vector<float> out(28 * 28);
  Rng unused(0);
  render_rotated_shape(d, 28, 1, unused, out.data());
  return out;
}

TEST(RotatedShapes, DeterministicBalancedAndInRange) {
  const Dataset a = make_rotated_shapes(small());
  const Dataset b = make_rotated_shapes(small());
  EXPECT_EQ(a.X.data, b.X.data);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.sha256, b.sha256);
  ASSERT_EQ(a.n(), 200);
  ASSERT_EQ(a.d(), 784);
  EXPECT_EQ(a.image, (ImageShape{1, 28, 28}));
  EXPECT_EQ(a.pixel_max, 1);
  EXPECT_EQ(a.class_names,
            (std::vector<std::string>{"disc", "ring", "square", "triangle"}));
  std::vector<int> counts(4, 0);
  for (auto l : a.labels)
    ++counts[static_cast<std::size_t>(l)];
  EXPECT_EQ(counts, (std::vector<int>{50, 50, 50, 50}));
  float lo = 1, hi = 0;
  for (float v : a.X.data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, 0.0f);
  EXPECT_LE(hi, 1.0f);
  EXPECT_GT(hi - lo, 0.5f); // shapes stand out from their background

  // Another seed gives other images (and another digest); an image does not
  // depend on n.
  RotatedShapesOptions other = small();
  other.seed = 4;
  const Dataset c = make_rotated_shapes(other);
  EXPECT_NE(c.X.data, a.X.data);
  EXPECT_NE(c.sha256, a.sha256);
  const Dataset prefix = make_rotated_shapes(small(10));
  EXPECT_TRUE(
      std::equal(prefix.X.data.begin(), prefix.X.data.end(), a.X.data.begin()));

  // 7 classes of 100 images: 15 or 14 each.
  const Dataset seven = make_rotated_shapes(small(100, 7));
  std::vector<int> c7(7, 0);
  for (auto l : seven.labels)
    ++c7[static_cast<std::size_t>(l)];
  for (int k = 0; k < 7; ++k)
    EXPECT_TRUE(c7[static_cast<std::size_t>(k)] == 14 ||
                c7[static_cast<std::size_t>(k)] == 15);
}

TEST(RotatedShapes, ColourImagesAreChannelMajor) {
  RotatedShapesOptions o = small(8);
  o.channels = 3;
  o.size = 16;
  o.noise = 0;
  const Dataset ds = make_rotated_shapes(o);
  EXPECT_EQ(ds.image, (ImageShape{3, 16, 16}));
  ASSERT_EQ(ds.d(), 3 * 256);
  // Without noise, each channel plane is background + (foreground -
  // background) * coverage with the same coverage: the planes are affine
  // images of each other, so the corner pixel (background) differs between
  // channels while the coverage pattern is shared.
  for (std::int64_t i = 0; i < ds.n(); ++i) {
    Rng rng(o.seed, static_cast<std::uint64_t>(i));
    const ShapeDraw d = draw_rotated_shape(o, i, rng);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(ds.X(i, c * 256), d.background[c], 1e-6); // corner
      const double centre = ds.X(i, c * 256 + 8 * 16 + 8);
      EXPECT_GE(centre, d.background[c] - 1e-6);
      EXPECT_LE(centre, d.foreground[c] + 1e-6);
    }
  }
}

TEST(RotatedShapes, RotationChangesPixelsNotTheClass) {
  RotatedShapesOptions o = small(16, 8);
  for (std::int64_t i = 0; i < o.n; ++i) {
    Rng rng(o.seed, static_cast<std::uint64_t>(i));
    ShapeDraw d = draw_rotated_shape(o, i, rng);
    EXPECT_EQ(d.shape, i % 8); // the class is the shape, whatever the angle
    d.dx = d.dy = 0;
    const std::vector<float> base = render(d);
    // Rotating the drawn angle by 90 degrees rotates the image exactly
    // (the sub-pixel grid is symmetric about the centre): pixel (y, x) of
    // the rotated image is pixel (27 - x, y) of the original.
    ShapeDraw quarter = d;
    quarter.angle += M_PI / 2;
    const std::vector<float> rotated = render(quarter);
    int mismatches = 0;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        mismatches +=
            std::abs(rotated[y * 28 + x] - base[(27 - x) * 28 + y]) > 1e-5f;
    // Rounding may move a sub-pixel point across an edge: at most 1/16 of
    // a pixel's coverage, in very few pixels.
    EXPECT_LE(mismatches, 2) << "shape " << d.shape;
    // Shapes without a 90-degree symmetry change their pixels under an
    // arbitrary rotation (disc and ring are rotation invariant, square and
    // cross are invariant under 90 degrees).
    ShapeDraw turned = d;
    turned.angle += 0.7;
    const std::vector<float> other = render(turned);
    double diff = 0;
    for (std::size_t p = 0; p < base.size(); ++p)
      diff += std::abs(other[p] - base[p]);
    if (d.shape >= 2)
      EXPECT_GT(diff, 1.0) << "shape " << d.shape;
    else
      EXPECT_LT(diff, 0.05) << "shape " << d.shape;
  }
}

TEST(RotatedShapes, DiscAndRingDifferByRadius) {
  // Mean intensity within 1 px of the image centre and in the annulus 6.5 to
  // 7.5 px from it, per class. A ring's hole has radius 0.55 * 0.3 * 28 *
  // scale = 3.9 .. 5.3 px and its centre is at most 2 * sqrt 2 = 2.8 px from
  // the image centre, so the image centre lies in the hole; the annulus
  // lies mostly on the ring. A disc covers its centre.
  RotatedShapesOptions o = small(400, 2);
  o.noise = 0.05;
  const Dataset ds = make_rotated_shapes(o);
  double centre[2] = {0, 0}, annulus[2] = {0, 0};
  int count[2] = {0, 0};
  for (std::int64_t i = 0; i < ds.n(); ++i) {
    const int label = ds.labels[static_cast<std::size_t>(i)];
    double c = 0, a = 0;
    int nc = 0, na = 0;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        const double r = std::hypot(x + 0.5 - 14, y + 0.5 - 14);
        if (r < 1.0) {
          c += ds.X(i, y * 28 + x);
          ++nc;
        } else if (r >= 6.5 && r < 7.5) {
          a += ds.X(i, y * 28 + x);
          ++na;
        }
      }
    centre[label] += c / nc;
    annulus[label] += a / na;
    ++count[label];
  }
  for (int k = 0; k < 2; ++k) {
    centre[k] /= count[k];
    annulus[k] /= count[k];
  }
  std::printf("centre/annulus: disc %.3f %.3f, ring %.3f %.3f\n", centre[0],
              annulus[0], centre[1], annulus[1]);
  // Disc: the centre is at least as bright as the annulus (which the
  // smallest, most shifted discs do not fully cover); ring: the centre is
  // much darker than the annulus, and than a disc's centre.
  EXPECT_GT(centre[0] - annulus[0], 0.0);
  EXPECT_GT(annulus[1] - centre[1], 0.25);
  EXPECT_GT(centre[0] - centre[1], 0.25);
}

TEST(RotatedShapes, OptionsAreStrict) {
  EXPECT_EQ(generate_synthetic("rotated-shapes",
                               SpecNode(json::parse(R"({"n": 12, "seed": 3})"),
                                        "s.json", "dataset.options"))
                .n(),
            12);
  EXPECT_NE(spec_error(R"({"n": 10, "colour": 3})")
                .find("s.json: dataset.options.colour: unknown key"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"channels": 2})")
                .find("dataset.options.channels: must be 1 (grey) or 3"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"classes": 9})")
                .find("dataset.options.classes: must be in [2, 8]"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"noise": -0.1})").find("dataset.options.noise"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"size": 4})").find("dataset.options.size"),
            std::string::npos);
  EXPECT_NE(spec_error(R"({"n": 100000000, "size": 256, "channels": 3})")
                .find("more than the 2^31 allowed"),
            std::string::npos);
  EXPECT_TRUE(is_synthetic_generator("rotated-shapes"));
}

} // namespace
} // namespace nebench
