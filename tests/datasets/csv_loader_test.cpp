#include "datasets/csv_loader.h"
#include "datasets/dataset_spec.h"
#include "datasets/registry.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

namespace nebench {
namespace {

using testing::data_error;

Matrix parse(const std::string &text) {
  return parse_csv_matrix("x.csv", text.data(), text.size());
}

std::string matrix_error(const std::string &text) {
  return data_error([&] { parse(text); });
}

CsvLabels labels(const std::string &text, std::int64_t rows = -1) {
  return parse_csv_labels("y.csv", text.data(), text.size(), rows, "x.csv");
}

TEST(CsvLoader, ReadsAMatrixWithoutHeader) {
  const Matrix X = parse("1,2,3\n4.5, -6 ,7e2\n");
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 3);
  EXPECT_FLOAT_EQ(X(0, 0), 1);
  EXPECT_FLOAT_EQ(X(0, 2), 3);
  EXPECT_FLOAT_EQ(X(1, 0), 4.5f);
  EXPECT_FLOAT_EQ(X(1, 1), -6);
  EXPECT_FLOAT_EQ(X(1, 2), 700);
}

TEST(CsvLoader, SkipsAHeaderOfNames) {
  const Matrix X = parse("\"gene, 1\",gene2,\n+1,2,3\n4,5,6");
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 3);
  EXPECT_FLOAT_EQ(X(0, 0), 1);
  EXPECT_FLOAT_EQ(X(1, 2), 6);
}

TEST(CsvLoader, AcceptsCrlfABomAndTrailingBlankLines) {
  const Matrix X = parse("\xEF\xBB\xBF"
                         "a,b\r\n1,2\r\n3,4\r\n\r\n  \n");
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 2);
  EXPECT_FLOAT_EQ(X(1, 1), 4);
}

TEST(CsvLoader, ReadsOneColumnAndTinyValues) {
  const Matrix X = parse("1e-400\n2\n");
  ASSERT_EQ(X.rows, 2);
  ASSERT_EQ(X.cols, 1);
  EXPECT_FLOAT_EQ(X(0, 0), 0);
}

TEST(CsvLoader, RaggedRowsNameLineColumnAndByte) {
  // Line 3 has a fourth value, at byte 18.
  EXPECT_EQ(matrix_error("1,2,3\n4,5,6\n7,8,9,10\n"),
            "x.csv: line 3, column 4 (byte 18): ragged rows: this line has 4 "
            "values, line 1 has 3");
  // Too few: the position after the last value.
  EXPECT_EQ(matrix_error("a,b,c\n1,2,3\n4,5\n"),
            "x.csv: line 3, column 3 (byte 15): ragged rows: this line has 2 "
            "values, line 1 (the header) has 3");
}

TEST(CsvLoader, NonNumericCellsNameLineColumnAndByte) {
  EXPECT_EQ(matrix_error("1,2\n3,abc\n"),
            "x.csv: line 2, column 2 (byte 6): \"abc\" is not a number");
  EXPECT_EQ(matrix_error("1,2\n3,\n"),
            "x.csv: line 2, column 2 (byte 6): empty cell");
  EXPECT_EQ(matrix_error("1,2\n3,4x\n"),
            "x.csv: line 2, column 2 (byte 6): \"4x\" is not a number");
  // A first line mixing numbers and names is data, not a header.
  EXPECT_EQ(matrix_error("1,b\n3,4\n"),
            "x.csv: line 1, column 2 (byte 2): \"b\" is not a number (a "
            "header line must hold names only)");
  // Binary garbage is shown escaped.
  EXPECT_NE(matrix_error(std::string("1,2\n3,\x01\xff\n", 9))
                .find("line 2, column 2 (byte 6): \"\\x01\\xff\" is not a "
                      "number"),
            std::string::npos);
  EXPECT_NE(matrix_error("1,2\n\"3\",4\n").find("line 2, column 1 (byte 4)"),
            std::string::npos);
  EXPECT_NE(matrix_error("a,\"b\n1,2\n")
                .find("line 1, column 2 (byte 2): "
                      "unterminated quoted cell"),
            std::string::npos);
}

TEST(CsvLoader, RefusesNanInfAndValuesBeyondFloat32) {
  EXPECT_EQ(matrix_error("1,2\nnan,4\n"),
            "x.csv: line 2, column 1 (byte 4): value \"nan\" is not finite "
            "(NaN and Inf are refused)");
  EXPECT_NE(matrix_error("1,-inf\n")
                .find("line 1, column 2 (byte 2): value "
                      "\"-inf\" is not finite"),
            std::string::npos);
  EXPECT_NE(matrix_error("1,2\n3,1e39\n")
                .find("line 2, column 2 (byte 6): value \"1e39\" is outside "
                      "the float32 range"),
            std::string::npos);
  EXPECT_NE(matrix_error("1e999\n").find("outside the float32 range"),
            std::string::npos);
}

TEST(CsvLoader, RefusesEmptyFilesAndHeaderOnlyFiles) {
  EXPECT_EQ(matrix_error(""), "x.csv: line 1, column 1 (byte 0): empty file "
                              "(expected one point per line)");
  EXPECT_EQ(matrix_error("\n \r\n"),
            "x.csv: line 1, column 1 (byte 0): empty file (expected one point "
            "per line)");
  EXPECT_EQ(matrix_error("a,b\n"), "x.csv: line 2, column 1 (byte 4): no data "
                                   "rows (only a header line)");
  EXPECT_EQ(matrix_error("1,2\n\n3,4\n"),
            "x.csv: line 2, column 1 (byte 4): blank line inside the data "
            "(one point per line)");
}

TEST(CsvLoader, IntegerLabelsAreUsedAsTheyAre) {
  const CsvLabels l = labels("3\r\n0\n+7\n3\n\n", 4);
  EXPECT_EQ(l.labels, (std::vector<std::int32_t>{3, 0, 7, 3}));
  EXPECT_TRUE(l.class_names.empty());
}

TEST(CsvLoader, StringLabelsAreNumberedInSortedOrder) {
  const CsvLabels l = labels("T cell\nB cell\n\"NK, cd56\"\nT cell\n");
  EXPECT_EQ(l.labels, (std::vector<std::int32_t>{2, 0, 1, 2}));
  EXPECT_EQ(l.class_names,
            (std::vector<std::string>{"B cell", "NK, cd56", "T cell"}));
  // A negative integer makes them names too.
  const CsvLabels m = labels("1\n-1\n0\n");
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"-1", "0", "1"}));
  EXPECT_EQ(m.labels, (std::vector<std::int32_t>{2, 0, 1}));
}

TEST(CsvLoader, LabelErrorsNameLineColumnAndByte) {
  EXPECT_EQ(data_error([] { labels("0\n1\n2\n", 2); }),
            "y.csv: line 3, column 1 (byte 4): label 3 of 3, but x.csv has 2 "
            "rows (a header line counts as a label)");
  EXPECT_EQ(data_error([] { labels("0\n1\n", 3); }),
            "y.csv: line 3, column 1 (byte 4): the file ends after 2 labels, "
            "but x.csv has 3 rows");
  EXPECT_EQ(data_error([] { labels("0\n\n1\n"); }),
            "y.csv: line 2, column 1 (byte 2): blank line among the labels "
            "(one label per line)");
  EXPECT_EQ(data_error([] { labels(""); }),
            "y.csv: line 1, column 1 (byte 0): empty file (expected one label "
            "per line)");
}

TEST(CsvLoader, ReadsFilesAndSaysWhenOneIsMissing) {
  testing::TempDir dir;
  testing::write_text(dir.file("x.csv"), "a,b\n1,2\n3,4\n");
  const Matrix X = read_csv_matrix(dir.file("x.csv"));
  EXPECT_EQ(X.rows, 2);
  EXPECT_NE(data_error([&] {
              read_csv_matrix(dir.file("none.csv"));
            }).find("none.csv: file not found"),
            std::string::npos);
}

TEST(CsvLoader, LoadsThroughASpecWithStringLabels) {
  testing::TempDir dir;
  testing::write_text(dir.file("x.csv"), "f1,f2\n1,2\n3,4\n5,6\n");
  testing::write_text(dir.file("y.csv"), "b\na\nb\n");
  const nlohmann::json j = nlohmann::json::parse(
      R"({"dataset": {"path": "x.csv", "labels": "y.csv"}})");
  const SpecNode root(j, "s.json");
  const DatasetSpec spec =
      DatasetSpec::from_spec(root.child("dataset"), dir.path());
  EXPECT_EQ(spec.format, "csv");
  EXPECT_EQ(spec.labels_path, dir.file("y.csv"));
  const Dataset ds = load_dataset(spec, dir.path());
  EXPECT_EQ(ds.name, "x.csv");
  EXPECT_EQ(ds.n(), 3);
  EXPECT_EQ(ds.d(), 2);
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{1, 0, 1}));
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ds.sha256.size(), 64u);

  testing::write_text(dir.file("y.csv"), "b\na\n");
  EXPECT_NE(data_error([&] { load_dataset(spec, dir.path()); })
                .find("y.csv: line 3, column 1 (byte 4): the file ends after "
                      "2 labels, but " +
                      dir.file("x.csv") + " has 3 rows"),
            std::string::npos);
}

} // namespace
} // namespace nebench
