#include "core/nearby_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/case.h"

namespace gongzhi {
namespace {

TEST(NearbyIndex, FindsSameCategoryWithinRadiusAndWindowNearestFirst) {
  NearbyIndex ix;
  const double lng = 114.38, lat = 36.61;
  const double m = 1.0 / 111320.0;  // about a metre of latitude in degrees
  ix.Put({1, lng, lat + 150 * m, 1000}, "0101");   // 150 m north
  ix.Put({2, lng, lat + 50 * m, 1000}, "0101");    // 50 m north
  ix.Put({3, lng, lat + 10 * m, 1000}, "0102");    // another category
  ix.Put({4, lng, lat + 260 * m, 1000}, "0101");   // beyond 200 m (and in another cell)
  ix.Put({5, lng, lat + 100 * m, 10}, "0101");     // reported before the window
  NearbyIndex::Query q{.category = "0101", .lng = lng, .lat = lat, .radius_m = 200, .created_from = 500};
  auto hits = ix.Find(q);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 2);
  EXPECT_NEAR(hits[0].distance_m, 50, 1);
  EXPECT_EQ(hits[1].id, 1);
  q.exclude_id = 2;
  hits = ix.Find(q);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1);
  q.created_to = 999;  // window closed before both
  EXPECT_TRUE(ix.Find(q).empty());
  q.category = "0999";  // never seen
  EXPECT_TRUE(ix.Find(q).empty());
}

TEST(NearbyIndex, PutMovesAndEraseRemoves) {
  NearbyIndex ix;
  ix.Put({7, 114.38, 36.61, 1}, "0101");
  EXPECT_EQ(ix.Find({.category = "0101", .lng = 114.38, .lat = 36.61}).size(), 1u);
  ix.Put({7, 114.38, 36.61, 1}, "0202");  // re-classified
  EXPECT_TRUE(ix.Find({.category = "0101", .lng = 114.38, .lat = 36.61}).empty());
  EXPECT_EQ(ix.Find({.category = "0202", .lng = 114.38, .lat = 36.61}).size(), 1u);
  ix.Put({7, 114.40, 36.61, 1, CaseState::kDispatched, "井盖缺失"}, "0202");  // moved ~1.8 km east, dispatched
  EXPECT_TRUE(ix.Find({.category = "0202", .lng = 114.38, .lat = 36.61}).empty());
  auto moved = ix.Find({.category = "0202", .lng = 114.40, .lat = 36.61});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].entry->state, CaseState::kDispatched);
  EXPECT_EQ(moved[0].entry->description, "井盖缺失");
  EXPECT_EQ(ix.size(), 1u);
  ix.Put({7, 114.40, 36.61, 1}, "");  // no category: nothing to compare with
  EXPECT_EQ(ix.size(), 0u);
  ix.Put({8, 114.40, 36.61, 1}, "0202");
  ix.Erase(8);
  ix.Erase(8);  // twice is harmless
  EXPECT_TRUE(ix.Find({.category = "0202", .lng = 114.40, .lat = 36.61}).empty());
  EXPECT_EQ(ix.size(), 0u);
}

TEST(NearbyIndex, KeepsAPreviewOfLongDescriptionsCutBetweenCharacters) {
  EXPECT_EQ(NearbyIndex::DescriptionPreview("垃圾堆放"), "垃圾堆放");
  std::string long_text;
  for (int i = 0; i < 1000; ++i) long_text += "垃";  // 3 bytes each
  auto p = NearbyIndex::DescriptionPreview(long_text);
  EXPECT_LE(p.size(), 280u + std::string("…").size());
  EXPECT_EQ(p.substr(p.size() - 3), "…");
  EXPECT_EQ((p.size() - 3) % 3, 0u);  // whole characters only
  EXPECT_EQ(p.substr(0, 6), "垃垃");
}

// Against a brute-force scan over random points, categories, times and removals, with radii that
// span several cells and a limit that cuts the list.
TEST(NearbyIndex, AgreesWithBruteForce) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> lng_d(114.30, 114.34), lat_d(36.60, 36.63);
  std::uniform_int_distribution<int> cat_d(0, 2), t_d(0, 100), op_d(0, 9);
  struct Rec {
    std::string cat;
    double lng, lat;
    InstantMs at;
  };
  std::map<int64_t, Rec> truth;
  NearbyIndex ix;
  for (int64_t id = 1; id <= 3000; ++id) {
    Rec r{std::to_string(cat_d(rng)), lng_d(rng), lat_d(rng), t_d(rng)};
    ix.Put({id, r.lng, r.lat, r.at}, r.cat);
    truth[id] = r;
    if (op_d(rng) == 0) {  // a random earlier case closes
      int64_t gone = 1 + static_cast<int64_t>(rng() % id);
      ix.Erase(gone);
      truth.erase(gone);
    }
  }
  EXPECT_EQ(ix.size(), truth.size());
  for (int i = 0; i < 200; ++i) {
    NearbyIndex::Query q{.category = std::to_string(cat_d(rng)),
                         .lng = lng_d(rng),
                         .lat = lat_d(rng),
                         .radius_m = 100.0 + (i % 5) * 150,
                         .created_from = t_d(rng) / 2,
                         .created_to = i % 2 ? 0 : 60 + t_d(rng) / 2,
                         .limit = i % 3 ? 1000u : 5u};
    std::vector<NearbyIndex::Hit> want;
    for (const auto& [id, r] : truth) {
      if (r.cat != q.category || r.at < q.created_from || (q.created_to && r.at > q.created_to)) continue;
      double d = DistanceM(q.lng, q.lat, r.lng, r.lat);
      if (d <= q.radius_m) want.push_back({id, d});
    }
    std::sort(want.begin(), want.end(), [](auto& a, auto& b) {
      return a.distance_m != b.distance_m ? a.distance_m < b.distance_m : a.id < b.id;
    });
    if (want.size() > q.limit) want.resize(q.limit);
    auto got = ix.Find(q);
    ASSERT_EQ(got.size(), want.size()) << "query " << i;
    for (size_t k = 0; k < got.size(); ++k) EXPECT_EQ(got[k].id, want[k].id) << "query " << i << " hit " << k;
  }
}

}  // namespace
}  // namespace gongzhi
