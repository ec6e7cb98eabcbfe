#include "core/rate_limit.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

TEST(TokenBucketsTest, AllowsTheBurstThenOnePerIntervalAndSaysHowLongToWait) {
  TokenBuckets b(/*per_minute=*/6, /*burst=*/3);  // one token back every 10 s
  const InstantMs t0 = 1'000'000;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.Take("10.0.0.1", t0), 0) << i;
  EXPECT_EQ(b.Take("10.0.0.1", t0), 10);        // empty: wait 10 s
  EXPECT_EQ(b.Take("10.0.0.2", t0), 0);         // another address is not affected
  EXPECT_EQ(b.Take("10.0.0.1", t0 + 4'000), 6); // refused takes consume nothing
  EXPECT_EQ(b.Take("10.0.0.1", t0 + 10'000), 0);
  EXPECT_EQ(b.Take("10.0.0.1", t0 + 10'000), 10);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.Take("10.0.0.1", t0 + 10 * 60'000), 0) << "refilled up to the burst, no more";
  EXPECT_GT(b.Take("10.0.0.1", t0 + 10 * 60'000), 0);
}

TEST(TokenBucketsTest, AFloodOfAddressesKeepsMemoryBoundedAndForgetsOnlyNearlyFullBuckets) {
  TokenBuckets b(/*per_minute=*/1, /*burst=*/5, /*max_keys=*/100);
  const InstantMs t0 = 5'000'000;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.Take("attacker", t0 + 200'000), 0);  // empty, and the newest
  for (int i = 0; i < 1000; ++i) b.Take("spoof" + std::to_string(i), t0 + i);
  EXPECT_LE(b.keys(), 100u);
  EXPECT_GT(b.Take("attacker", t0 + 200'001), 0) << "the emptiest bucket is kept";
}

}  // namespace
}  // namespace gongzhi
