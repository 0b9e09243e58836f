#include "datasets/zip_archive.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

using testing::Bytes;
using testing::ZipMember;

using testing::data_error;

Bytes text(const std::string &s) { return Bytes(s.begin(), s.end()); }

/// 4000 bytes with repetition, so deflate really compresses them.
Bytes compressible() {
  Bytes b;
  for (int i = 0; i < 4000; ++i)
    b.push_back(static_cast<unsigned char>((i * 7) % 13 + (i / 500)));
  return b;
}

TEST(ZipArchive, ReadsStoredDeflatedAndZip64Members) {
  testing::TempDir dir;
  const std::string path = dir.file("a.zip");
  testing::write_file(
      path, testing::zip_bytes({{"hello.txt", text("hello, zip"), false},
                                {"big.bin", compressible(), true},
                                {"np.npy", text("numpy-like"), false, true},
                                {"np2.npy", compressible(), true, true},
                                {"empty", {}, false}}));
  const ZipArchive zip(path);
  ASSERT_EQ(zip.entries().size(), 5u);
  EXPECT_EQ(zip.entries()[1].name, "big.bin");
  EXPECT_EQ(zip.entries()[1].method, 8);
  EXPECT_EQ(zip.entries()[1].size, 4000u);
  // Deflate really shrank it, so the inflate path is exercised.
  EXPECT_LT(zip.entries()[1].compressed_size, 1000u);
  EXPECT_EQ(zip.extract(*zip.find("hello.txt")), text("hello, zip"));
  EXPECT_EQ(zip.extract(*zip.find("big.bin")), compressible());
  EXPECT_EQ(zip.extract(*zip.find("np.npy")), text("numpy-like"));
  EXPECT_EQ(zip.extract(*zip.find("np2.npy")), compressible());
  EXPECT_TRUE(zip.extract(*zip.find("empty")).empty());
  EXPECT_EQ(zip.find("nope"), nullptr);
}

TEST(ZipArchive, TruncatedOrForeignFilesAreRefused) {
  testing::TempDir dir;
  Bytes b = testing::zip_bytes({{"x", text("some data here"), false}});
  // Cut inside the central directory: no end record is left.
  b.resize(b.size() - 30);
  testing::write_file(dir.file("cut.zip"), b);
  EXPECT_NE(data_error([&] { ZipArchive z(dir.file("cut.zip")); })
                .find(dir.file("cut.zip") + ": at byte " +
                      std::to_string(b.size()) +
                      ": no ZIP end-of-central-directory record found (the "
                      "archive looks truncated)"),
            std::string::npos);
  testing::write_text(dir.file("text.zip"), "this is not a zip archive at all");
  EXPECT_NE(data_error([&] {
              ZipArchive z(dir.file("text.zip"));
            }).find("(not a ZIP archive)"),
            std::string::npos);
  testing::write_text(dir.file("tiny.zip"), "PK");
  EXPECT_NE(data_error([&] {
              ZipArchive z(dir.file("tiny.zip"));
            }).find("at byte 0: not a ZIP archive (2 bytes"),
            std::string::npos);
  EXPECT_NE(data_error([&] {
              ZipArchive z(dir.file("missing.zip"));
            }).find("file not found"),
            std::string::npos);
}

TEST(ZipArchive, CorruptMembersNameTheOffset) {
  testing::TempDir dir;
  // Stored member with a flipped data byte: CRC mismatch at the data offset
  // (30-byte local header + 1-byte name).
  Bytes b = testing::zip_bytes({{"s", text("abcdef"), false}});
  b[31 + 2] ^= 0xff;
  testing::write_file(dir.file("crc.zip"), b);
  const ZipArchive crc(dir.file("crc.zip"));
  EXPECT_NE(data_error([&] { crc.extract(crc.entries()[0]); })
                .find(dir.file("crc.zip") + ": at byte 31: member \"s\": "
                                            "CRC-32 "),
            std::string::npos);

  // Deflated member whose compressed bytes are garbage.
  Bytes d = testing::zip_bytes({{"d", compressible(), true}});
  const std::size_t data = 31;
  for (std::size_t i = data; i < data + 8; ++i)
    d[i] = 0xff;
  testing::write_file(dir.file("bad.zip"), d);
  const ZipArchive bad(dir.file("bad.zip"));
  EXPECT_NE(data_error([&] {
              bad.extract(bad.entries()[0]);
            }).find("member \"d\": corrupt deflate data"),
            std::string::npos);

  // The central directory points past the end of the file.
  Bytes p = testing::zip_bytes({{"p", text("x"), false}});
  // Local header offset field of the central entry: dir starts after
  // 30 + 1 + 1 bytes; the offset is at +42.
  p[32 + 42] = 0x00;
  p[32 + 43] = 0x10;
  testing::write_file(dir.file("off.zip"), p);
  const ZipArchive off(dir.file("off.zip"));
  EXPECT_NE(data_error([&] { off.extract(off.entries()[0]); })
                .find("at byte 4096: archive ends inside the local header of "
                      "member \"p\""),
            std::string::npos);
}

} // namespace
} // namespace nebench
