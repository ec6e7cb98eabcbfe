#include "app/geojson.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

std::string Fc(const std::string& features) { return R"({"type":"FeatureCollection","features":[)" + features + "]}"; }

std::string Feature(const std::string& code, const std::string& coords, const std::string& type = "Polygon") {
  return R"({"type":"Feature","properties":{"code":")" + code + R"(","name":"网格"},"geometry":{"type":")" + type +
         R"(","coordinates":)" + coords + "}}";
}

const char* kSquare = "[[[114.30,36.60],[114.31,36.60],[114.31,36.61],[114.30,36.61],[114.30,36.60]]]";

TEST(GeoJsonTest, ParsesPolygonAndMultiPolygon) {
  auto r = ParseGridFeatureCollection(Fc(Feature("130404001008001", kSquare) + "," +
                                         Feature("130404001008002", std::string("[") + kSquare + "]", "MultiPolygon")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].code, "130404001008001");
  EXPECT_EQ((*r)[1].index, 1u);
  EXPECT_NE((*r)[0].geometry.find("\"Polygon\""), std::string::npos);
}

TEST(GeoJsonTest, EveryRefusalNamesTheFeatureAndReason) {
  struct Case { std::string body; std::string field_prefix; std::string reason; } cases[] = {
      {Fc(Feature("130404001008001", kSquare) + "," +
          Feature("130404001008002", "[[[114.30,36.60],[114.31,36.60],[114.31,36.61],[114.30,36.61]]]")),
       "features[1].geometry", "unclosed"},
      {Fc(Feature("130404001008001", "[[[0,0],[1,1],[1,0],[0,1],[0,0]]]")), "features[0].geometry", "self-intersection"},
      {Fc(Feature("130404001008001", "[[[0,0],[1,1],[0,0]]]")), "features[0].geometry", "fewer than 4"},
      {Fc(Feature("130404001008001", "[[[200,0],[201,0],[201,1],[200,0]]]")), "features[0].geometry", "out of range"},
      {Fc(Feature("130404001008001", kSquare) + "," + Feature("130404001008001", kSquare)), "features[1].properties.code",
       "duplicate"},
      {Fc(Feature("13040400100800", kSquare)), "features[0].properties.code", "15 digits"},
      {Fc(Feature("130404001008001", "[[[\"a\",0],[1,1],[1,0],[0,0]]]")), "features[0].geometry", "numbers"},
      {Fc(Feature("130404001008001", kSquare, "Point")), "features[0].geometry.type", "Polygon"},
      {R"({"type":"FeatureCollection","features":[]})", "features", "no feature"},
      {R"({"type":"Feature"})", "type", "FeatureCollection"},
      {"{not json", "", "not valid JSON"},
  };
  for (const auto& c : cases) {
    auto r = ParseGridFeatureCollection(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field().rfind(c.field_prefix, 0), 0u) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status().ToString();
  }
}

TEST(GeoJsonTest, DeepNestingIsRefusedNotCrashed) {
  std::string deep(10000, '[');
  auto r = ParseGridFeatureCollection(deep);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace gongzhi
