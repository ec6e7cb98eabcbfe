#include "app/json_text.h"

#include <charconv>
#include <cmath>

namespace gongzhi {
namespace {

void Write(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(k));
        out += ':';
        Write(out, x);
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out += ',';
        first = false;
        Write(out, x);
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";
        break;
      }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back the same
      out.append(buf, ec == std::errc() ? end : buf);
      break;
    }
    default: out += boost::json::serialize(v);  // strings (escaped), integers, true/false, null
  }
}

}  // namespace

std::string JsonText(const boost::json::value& v) {
  std::string out;
  Write(out, v);
  return out;
}

}  // namespace gongzhi
