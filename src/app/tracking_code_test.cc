#include "app/tracking_code.h"

#include <gtest/gtest.h>

#include <set>

namespace gongzhi {
namespace {

TrackingKey KeyOf(unsigned char b) {
  TrackingKey k;
  k.fill(b);
  return k;
}

TEST(TrackingCode, EveryIdTurnsIntoTwelveAlphabetCharactersAndBack) {
  const TrackingCodec codec(KeyOf(7));
  std::set<std::string> seen;
  auto check = [&](int64_t id) {
    const std::string code = codec.Encode(id);
    ASSERT_EQ(code.size(), 12u);
    EXPECT_EQ(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos) << code;
    EXPECT_EQ(codec.Decode(code), id) << code;
    EXPECT_TRUE(seen.insert(code).second) << "two ids share " << code;
  };
  for (int64_t id = 1; id <= 20000; ++id) check(id);
  for (int64_t id : {int64_t{1} << 31, int64_t{1} << 40, int64_t{123456789012345}, TrackingCodec::kMaxId}) check(id);
}

TEST(TrackingCode, ConsecutiveCasesGetUnrelatedCodesThatDependOnTheKey) {
  const TrackingCodec a(KeyOf(1)), b(KeyOf(2));
  // Neighbouring ids share no more leading characters than random codes would (1/32 per place), and
  // each character position takes many values over a run of ids.
  int shared_prefix = 0;
  std::set<char> firsts, lasts;
  for (int64_t id = 1; id <= 2000; ++id) {
    const std::string x = a.Encode(id), y = a.Encode(id + 1);
    shared_prefix += x[0] == y[0];
    firsts.insert(x[0]);
    lasts.insert(x[11]);
    EXPECT_NE(x, b.Encode(id));
  }
  EXPECT_LT(shared_prefix, 2000 / 32 * 2);
  EXPECT_EQ(firsts.size(), 32u);
  EXPECT_EQ(lasts.size(), 32u);
  // The id does not show through: codes of ids 1..2000 are not in id order.
  EXPECT_FALSE(a.Encode(1) < a.Encode(2) && a.Encode(2) < a.Encode(3) && a.Encode(3) < a.Encode(4));
}

TEST(TrackingCode, ACodeWithOneCharacterChangedNamesAnotherNumber) {
  const TrackingCodec codec(KeyOf(3));
  const std::string code = codec.Encode(4242);
  for (size_t i = 0; i < code.size(); ++i) {
    std::string typo = code;
    typo[i] = typo[i] == 'Z' ? 'Y' : 'Z';
    const auto id = codec.Decode(typo);
    ASSERT_TRUE(id.has_value());
    EXPECT_GT(*id, 1'000'000'000) << "a typo in place " << i << " lands on a small id";
  }
}

TEST(TrackingCode, CodesAreReadAsResidentsTypeThem) {
  EXPECT_EQ(NormalizeTrackingCode("7K3M-9QXA-2BCD"), "7K3M9QXA2BCD");
  EXPECT_EQ(NormalizeTrackingCode("7k3m 9qxa 2bcd"), "7K3M9QXA2BCD");
  EXPECT_EQ(NormalizeTrackingCode("IL0O00000000"), "110000000000");
  EXPECT_EQ(NormalizeTrackingCode("7K3M9QXA2BC"), std::nullopt);    // 11
  EXPECT_EQ(NormalizeTrackingCode("7K3M9QXA2BCDE"), std::nullopt);  // 13
  EXPECT_EQ(NormalizeTrackingCode("7K3M9QXA2BCU"), std::nullopt);   // U is not in the alphabet
  EXPECT_EQ(NormalizeTrackingCode("~00000000001"), std::nullopt);
  EXPECT_EQ(NormalizeTrackingCode(""), std::nullopt);
  EXPECT_EQ(TrackingCodec(KeyOf(1)).Decode("7K3M9QXA2BC!"), std::nullopt);
}

}  // namespace
}  // namespace gongzhi
