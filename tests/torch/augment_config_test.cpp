// AugmentConfig (engine/torch/augment/augment_config.h): the presets of
// t-SimCNE (natural, digits) and medical t-SimCNE, strict from_spec with
// preset overrides, and errors naming the JSON path.

#include "engine/core/errors.h"
#include "engine/core/spec_node.h"
#include "engine/torch/augment/augment_config.h"

#include <gtest/gtest.h>

#include <string>

namespace nebench {
namespace {

AugmentConfig parse(const json &j) {
  return AugmentConfig::from_spec(SpecNode(j, "spec.json", "augment"));
}

/// The SpecError message of parsing j ("" if it parses).
std::string spec_error(const json &j) {
  try {
    parse(j);
  } catch (const SpecError &e) {
    return e.what();
  }
  return "";
}

TEST(AugmentConfig, NaturalIsTsimcnePipeline) {
  const AugmentConfig c = AugmentConfig::natural();
  EXPECT_DOUBLE_EQ(c.crop_scale_min, 0.2);
  EXPECT_DOUBLE_EQ(c.crop_scale_max, 1.0);
  EXPECT_DOUBLE_EQ(c.crop_ratio_min, 0.75);
  EXPECT_DOUBLE_EQ(c.crop_ratio_max, 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.hflip_p, 0.5);
  EXPECT_DOUBLE_EQ(c.vflip_p, 0.0);
  EXPECT_DOUBLE_EQ(c.jitter_p, 0.8);
  EXPECT_DOUBLE_EQ(c.brightness, 0.4);
  EXPECT_DOUBLE_EQ(c.contrast, 0.4);
  EXPECT_DOUBLE_EQ(c.saturation, 0.4);
  EXPECT_DOUBLE_EQ(c.hue, 0.1);
  EXPECT_DOUBLE_EQ(c.grayscale_p, 0.2);
  EXPECT_DOUBLE_EQ(c.rot90_p, 0.0);
  EXPECT_DOUBLE_EQ(c.rotate_degrees, 0.0);
  EXPECT_NO_THROW(c.validate());
}

TEST(AugmentConfig, DigitsAndMedicalDifferFromNaturalOnlyWhereStated) {
  const AugmentConfig d = AugmentConfig::digits();
  EXPECT_DOUBLE_EQ(d.hflip_p, 0.0);
  EXPECT_DOUBLE_EQ(d.jitter_p, 0.8);
  EXPECT_DOUBLE_EQ(d.crop_scale_min, 0.2);

  const AugmentConfig m = AugmentConfig::medical();
  EXPECT_DOUBLE_EQ(m.rot90_p, 0.5);
  EXPECT_DOUBLE_EQ(m.rotate_degrees, 45.0);
  EXPECT_DOUBLE_EQ(m.vflip_p, 0.5);
  EXPECT_DOUBLE_EQ(m.hflip_p, 0.5);
  EXPECT_DOUBLE_EQ(m.jitter_p, 0.8);
  EXPECT_DOUBLE_EQ(m.grayscale_p, 0.2);
  EXPECT_DOUBLE_EQ(m.crop_scale_min, 0.2);

  const AugmentConfig n = AugmentConfig::none();
  EXPECT_DOUBLE_EQ(n.crop_scale_min, 1.0);
  EXPECT_DOUBLE_EQ(n.hflip_p + n.vflip_p + n.jitter_p + n.grayscale_p +
                       n.rot90_p + n.rotate_degrees,
                   0.0);
}

TEST(AugmentConfig, FromSpecDefaultsToNaturalAndOverridesPreset) {
  const AugmentConfig a = parse(json::object());
  EXPECT_DOUBLE_EQ(a.hflip_p, 0.5);
  EXPECT_DOUBLE_EQ(a.rotate_degrees, 0.0);

  const AugmentConfig m = parse(json::parse(
      R"({"preset": "medical", "hflip_p": 0, "rotate_degrees": 180,
          "crop_scale_min": 0.5, "hue": 0.5, "brightness": 2})"));
  EXPECT_DOUBLE_EQ(m.hflip_p, 0.0);
  EXPECT_DOUBLE_EQ(m.rotate_degrees, 180.0);
  EXPECT_DOUBLE_EQ(m.crop_scale_min, 0.5);
  EXPECT_DOUBLE_EQ(m.hue, 0.5);
  EXPECT_DOUBLE_EQ(m.brightness, 2.0);
  EXPECT_DOUBLE_EQ(m.rot90_p, 0.5); // from the preset
  EXPECT_DOUBLE_EQ(m.vflip_p, 0.5);

  EXPECT_DOUBLE_EQ(parse(json::parse(R"({"preset": "digits"})")).hflip_p, 0.0);
  const AugmentConfig n =
      parse(json::parse(R"({"preset": "none", "jitter_p": 1})"));
  EXPECT_DOUBLE_EQ(n.jitter_p, 1.0);
  EXPECT_DOUBLE_EQ(n.brightness, 0.4);
  EXPECT_DOUBLE_EQ(n.hflip_p, 0.0);
}

TEST(AugmentConfig, FromSpecErrorsNameThePath) {
  const std::string unknown = spec_error(json::parse(R"({"hflip": 0.5})"));
  EXPECT_NE(unknown.find("spec.json: augment.hflip: unknown key"),
            std::string::npos)
      << unknown;

  const std::string p = spec_error(json::parse(R"({"jitter_p": 1.5})"));
  EXPECT_NE(p.find("augment.jitter_p: must be in [0, 1]"), std::string::npos)
      << p;

  const std::string preset = spec_error(json::parse(R"({"preset": "cifar"})"));
  EXPECT_NE(preset.find("augment.preset"), std::string::npos) << preset;

  EXPECT_NE(spec_error(json::parse(R"({"crop_scale_min": 0})"))
                .find("augment.crop_scale_min: must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(spec_error(json::parse(R"({"crop_scale_min": 0.6,
                                       "crop_scale_max": 0.5})"))
                .find("augment.crop_scale_max: must be >= crop_scale_min"),
            std::string::npos);
  EXPECT_NE(spec_error(json::parse(R"({"crop_ratio_max": 0.5})"))
                .find("augment.crop_ratio_max: must be >= crop_ratio_min"),
            std::string::npos);
  EXPECT_NE(spec_error(json::parse(R"({"rotate_degrees": 181})"))
                .find("augment.rotate_degrees: must be in [0, 180]"),
            std::string::npos);
  EXPECT_NE(spec_error(json::parse(R"({"hue": 0.6})")).find("augment.hue"),
            std::string::npos);
  EXPECT_NE(
      spec_error(json::parse(R"({"contrast": -0.1})")).find("augment.contrast"),
      std::string::npos);
  EXPECT_NE(spec_error(json::parse(R"({"rot90_p": "half"})"))
                .find("augment.rot90_p: must be a number"),
            std::string::npos);
}

TEST(AugmentConfig, ValidateRejectsOutOfRangeFields) {
  AugmentConfig c;
  c.hflip_p = 1.5;
  EXPECT_THROW(c.validate(), NebenchError);
  c = AugmentConfig{};
  c.crop_scale_min = 0.9;
  c.crop_scale_max = 0.8;
  EXPECT_THROW(c.validate(), NebenchError);
  c = AugmentConfig{};
  c.hue = 0.7;
  EXPECT_THROW(c.validate(), NebenchError);
  c = AugmentConfig{};
  c.rotate_degrees = -1;
  EXPECT_THROW(c.validate(), NebenchError);
  EXPECT_THROW(AugmentConfig::preset("cifar"), NebenchError);
}

} // namespace
} // namespace nebench
