#include "datasets/sha256.h"
#include "engine/core/errors.h"
#include "tests/datasets/test_files.h"

#include <gtest/gtest.h>

namespace nebench {
namespace {

// FIPS 180-2 appendix B test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_bytes("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_bytes(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // 112 bytes: the message spans two blocks and the padding a third.
  EXPECT_EQ(sha256_bytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijk"
                         "lmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstno"
                         "pqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, StreamingInUnevenPiecesMatchesOneShot) {
  // One million 'a' fed in pieces that straddle block boundaries.
  Sha256 h;
  const std::string piece(997, 'a');
  std::size_t fed = 0;
  while (fed + piece.size() <= 1000000) {
    h.update(piece.data(), piece.size());
    fed += piece.size();
  }
  const std::string rest(1000000 - fed, 'a');
  h.update(rest.data(), rest.size());
  EXPECT_EQ(h.hex_digest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileDigestEqualsBufferDigest) {
  testing::TempDir dir;
  const std::string text(3000, 'x');
  testing::write_text(dir.file("f.txt"), text);
  EXPECT_EQ(sha256_file(dir.file("f.txt")), sha256_bytes(text));
  try {
    sha256_file(dir.file("absent"));
    FAIL() << "expected DataError";
  } catch (const DataError &e) {
    EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos);
  }
}

} // namespace
} // namespace nebench
