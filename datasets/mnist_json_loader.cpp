#include "datasets/mnist_json_loader.h"

#include "datasets/sha256.h"
#include "engine/core/errors.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace nebench {

namespace {

std::string read_whole_file(const std::string &path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(path, "file not found (or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, "cannot open file for reading");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A strict parser for exactly `{"data": [number, ...]}` that knows the byte
/// offset of every token, so that errors point into the file (a generic JSON
/// DOM would lose the offset of a bad element).
class DataArrayParser {
public:
  DataArrayParser(const std::string &path, const std::string &text)
      : path_(path), text_(text) {}

  std::vector<float> parse() {
    expect('{');
    expect_key("data");
    expect(':');
    expect('[');
    std::vector<float> values;
    values.reserve(text_.size() / 2);
    skip_ws();
    if (peek() == ']') {
      ++pos_;
    } else {
      while (true) {
        values.push_back(number(values.size()));
        skip_ws();
        const char c = peek();
        if (c == ',') {
          ++pos_;
          continue;
        }
        if (c == ']') {
          ++pos_;
          break;
        }
        fail("expected ',' or ']' after element " +
             std::to_string(values.size() - 1) + " of \"data\", got " +
             describe_here());
      }
    }
    expect('}');
    skip_ws();
    if (pos_ != text_.size())
      fail("unexpected trailing content " + describe_here());
    return values;
  }

private:
  [[noreturn]] void fail(const std::string &message) const {
    throw DataError::at_offset(path_, static_cast<std::int64_t>(pos_), message);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  std::string describe_here() const {
    if (pos_ >= text_.size())
      return "end of file";
    const char c = text_[pos_];
    if (c >= 32 && c < 127)
      return std::string("'") + c + "'";
    return "byte " + std::to_string(static_cast<unsigned char>(c));
  }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c)
      fail(std::string("expected '") + c + "', got " + describe_here());
    ++pos_;
  }
  void expect_key(const std::string &key) {
    skip_ws();
    const std::string quoted = "\"" + key + "\"";
    if (text_.compare(pos_, quoted.size(), quoted) != 0)
      fail("expected the key " + quoted + " (the file must be {\"" + key +
           "\": [...]}), got " + describe_here());
    pos_ += quoted.size();
  }
  float number(std::size_t index) {
    skip_ws();
    const char c = peek();
    // JSON numbers start with '-' or a digit; this also rejects the "inf" and
    // "nan" that from_chars would accept.
    if (c != '-' && !(c >= '0' && c <= '9'))
      fail("element " + std::to_string(index) +
           " of \"data\" is not a number: got " + describe_here());
    double v = 0;
    const char *first = text_.data() + pos_;
    const auto [end, ec] =
        std::from_chars(first, text_.data() + text_.size(), v);
    if (ec != std::errc() || !std::isfinite(v))
      fail("element " + std::to_string(index) +
           " of \"data\" is not a finite number");
    pos_ += static_cast<std::size_t>(end - first);
    return static_cast<float>(v);
  }

  const std::string &path_;
  const std::string &text_;
  std::size_t pos_ = 0;
};

} // namespace

Matrix read_mnist_json(const std::string &path) {
  const std::string text = read_whole_file(path);
  std::vector<float> values = DataArrayParser(path, text).parse();
  if (values.size() % kMnistJsonPixels != 0)
    throw DataError(path, "\"data\" has " + std::to_string(values.size()) +
                              " values, not a multiple of " +
                              std::to_string(kMnistJsonPixels) +
                              " (28x28 pixels per image)");
  Matrix X;
  X.rows = static_cast<std::int64_t>(values.size()) / kMnistJsonPixels;
  X.cols = kMnistJsonPixels;
  X.data = std::move(values);
  return X;
}

Dataset read_mnist_json_digits(const std::string &dir) {
  Dataset ds;
  ds.name = "mnist-json";
  ds.X = Matrix(0, kMnistJsonPixels);
  std::vector<std::string> digests;
  for (int digit = 0; digit < 10; ++digit) {
    const std::string path =
        (std::filesystem::path(dir) / (std::to_string(digit) + ".json"))
            .string();
    const Matrix part = read_mnist_json(path);
    digests.push_back(sha256_file(path));
    ds.X.data.insert(ds.X.data.end(), part.data.begin(), part.data.end());
    ds.X.rows += part.rows;
    ds.labels.insert(ds.labels.end(), static_cast<std::size_t>(part.rows),
                     digit);
    ds.class_names.push_back(std::to_string(digit));
  }
  ds.sha256 = combine_digests(digests);
  ds.indices = identity_indices(ds.X.rows);
  ds.image = kMnistJsonImage;
  ds.pixel_max = 1; // the package stores pixels in [0, 1]
  return ds;
}

} // namespace nebench
