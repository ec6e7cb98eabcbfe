#include "core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace gongzhi {
namespace {

std::string Hex(std::string_view s, Sha256::Impl impl) { return Sha256(impl).Update(s).FinalHex(); }

// FIPS 180-4 examples (NIST's SHA256.pdf and the long messages), in both implementations.
TEST(Sha256Test, ProducesTheStandardsTestVectors) {
  for (auto impl : {Sha256::Impl::kAuto, Sha256::Impl::kPortable}) {
    SCOPED_TRACE(impl == Sha256::Impl::kAuto ? (Sha256::Accelerated() ? "SHA-NI" : "auto (portable)") : "portable");
    EXPECT_EQ(Hex("", impl), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Hex("abc", impl), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", impl),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
                  "nopqrstu",
                  impl),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    Sha256 million(impl);
    const std::string a1000(1000, 'a');
    for (int i = 0; i < 1000; ++i) million.Update(a1000);
    EXPECT_EQ(million.FinalHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
}

// Every length across the padding's edges (55/56/64 bytes), fed whole and in uneven pieces: the
// accelerated code must agree with the portable one byte for byte.
TEST(Sha256Test, AgreesWithThePortableCodeForEveryLengthAndSplit) {
  std::string msg;
  uint32_t x = 12345;
  for (int i = 0; i < 400; ++i) {
    x = x * 1103515245 + 12345;
    msg.push_back(static_cast<char>(x >> 16));
  }
  for (size_t len = 0; len <= msg.size(); ++len) {
    const std::string_view m(msg.data(), len);
    const std::string want = Hex(m, Sha256::Impl::kPortable);
    ASSERT_EQ(Hex(m, Sha256::Impl::kAuto), want) << "length " << len;
    Sha256 pieces;
    for (size_t at = 0, step = 1; at < len; at += step, step = step * 3 % 71 + 1) pieces.Update(m.substr(at, step));
    ASSERT_EQ(pieces.FinalHex(), want) << "length " << len << " in pieces";
  }
}

}  // namespace
}  // namespace gongzhi
