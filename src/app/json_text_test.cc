#include "app/json_text.h"

#include <random>

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

namespace json = boost::json;

// Strings and integers come out exactly as Boost.JSON writes them (only doubles differ, on purpose).
TEST(JsonTextTest, StringsAndIntegersAsBoostWritesThem) {
  std::vector<std::string> samples = {"", "plain", "垃圾堆放 on 中华大街", "quote \" and \\ backslash", "a/b",
                                      "tab\tnew\nline\rform\fback\b", std::string("nul\0byte", 8), "\x7f del",
                                      "\xff\xfe not utf-8", "\xe4\xb8 cut"};
  for (int c = 0; c < 256; ++c) samples.push_back(std::string(1, static_cast<char>(c)));
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string s(rng() % 40, ' ');
    for (auto& ch : s) ch = static_cast<char>(rng() % 256);
    samples.push_back(s);
  }
  // One byte to escape (or a neighbour of one) at every place of strings up to five words long:
  // eight bytes are scanned at a time.
  for (size_t len = 1; len <= 40; ++len)
    for (size_t at = 0; at < len; ++at)
      for (char c : {'"', '\\', '\x1f', '\0', '\n', ' ', '!', '#', '[', ']', '\x7f', '\x80', '\xe4'}) {
        std::string s(len, 'a');
        s[at] = c;
        samples.push_back(s);
      }
  for (const auto& s : samples) {
    json::value v = json::string(s);
    EXPECT_EQ(JsonText(v), json::serialize(v)) << "string of " << s.size() << " bytes";
    json::object o;
    o[s] = 1;
    EXPECT_EQ(JsonText(o), json::serialize(o)) << "key of " << s.size() << " bytes";
  }
  for (int64_t n : {int64_t{0}, int64_t{-1}, int64_t{42}, int64_t{1795000000000}, INT64_MIN, INT64_MAX}) {
    json::value v = n;
    EXPECT_EQ(JsonText(v), json::serialize(v));
  }
  json::value u = UINT64_MAX;
  EXPECT_EQ(JsonText(u), json::serialize(u));
  json::value mixed = {{"a", true}, {"b", nullptr}, {"c", json::array{1, "x", false}}, {"d", 114.38}};
  EXPECT_EQ(JsonText(mixed), R"({"a":true,"b":null,"c":[1,"x",false],"d":114.38})");
}

TEST(JsonTextTest, ObjectWriterWritesWhatTheTreeWould) {
  std::string out;
  JsonObjectWriter w(out);
  w.Int("id", -42);
  w.String("text", "垃圾 \"堆\"\n");
  w.Double("lng", 114.38);
  w.Double("whole", 120.0);
  w.Bool("yes", true);
  w.Null("none");
  w.Raw("payload", R"({"a":[1,2]})");
  {
    JsonObjectWriter inner(w.Key("inner"));
    inner.String("k", "v");
    inner.Close();
  }
  {
    JsonObjectWriter empty(w.Key("empty"));
    empty.Close();
  }
  w.Close();
  json::object tree{{"id", -42},       {"text", "垃圾 \"堆\"\n"},         {"lng", 114.38},
                    {"whole", 120.0},  {"yes", true},                   {"none", nullptr},
                    {"payload", json::parse(R"({"a":[1,2]})")}, {"inner", {{"k", "v"}}}, {"empty", json::object()}};
  EXPECT_EQ(out, JsonText(tree));
  EXPECT_EQ(json::parse(out).at("payload"), json::parse(R"({"a":[1,2]})"));
}

TEST(JsonObjectWriterTest, NamesOfAnyLengthAndExtremeIntegers) {
  const std::string long_name(200, 'k'), mid_name(76, 'm');
  std::string out;
  JsonObjectWriter w(out);
  w.Int(long_name, INT64_MIN);
  w.Int(mid_name, INT64_MAX);
  w.String(long_name + "s", "v");
  w.Int("z", 0);
  w.Close();
  json::object tree{{long_name, INT64_MIN}, {mid_name, INT64_MAX}, {long_name + "s", "v"}, {"z", 0}};
  EXPECT_EQ(out, JsonText(tree));
}

}  // namespace
}  // namespace gongzhi
