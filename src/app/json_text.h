// JSON text with numbers as people write them: 114.38, not Boost.JSON's 1.1438E2 (both are valid
// JSON; spreadsheets, GIS tools and readers of logs prefer the first).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace gongzhi {

std::string JsonText(const boost::json::value& v);

// Appends `s` as a JSON string (quoted and escaped as Boost.JSON does) to `out`.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `items` to `a` as a JSON array, each item written by `write(a, item)`.
template <typename Items, typename Write>
void AppendArray(std::string& a, const Items& items, const Write& write) {
  a += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) a += ',';
    write(a, items[i]);
  }
  a += ']';
}

// Writes one JSON object's members in order straight into text, for hot responses where building
// a boost::json tree first costs more than the rest of the request. Numbers as JsonText writes them.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void Close() { out_ += '}'; }
  // Writes the member's name; the caller appends its value to the returned text. Names are the
  // callers' literals, written as they are: none may hold a quote, a backslash or a control
  // character (checked in debug builds).
  std::string& Key(std::string_view name);
  void String(std::string_view name, std::string_view v) { AppendJsonString(Key(name), v); }
  void Int(std::string_view name, int64_t v);
  void Double(std::string_view name, double v);
  void Bool(std::string_view name, bool v) { Key(name) += v ? "true" : "false"; }
  void Null(std::string_view name) { Key(name) += "null"; }
  // A value that is JSON text already.
  void Raw(std::string_view name, std::string_view json) { Key(name) += json; }

 private:
  // Writes `,"name":` at p (no comma before the first member), which has room for name.size() + 4
  // characters; returns where it ends.
  char* PutKey(char* p, std::string_view name);

  std::string& out_;
  bool first_ = true;
};

}  // namespace gongzhi
