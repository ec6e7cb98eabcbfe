#include "app/json_text.h"

#include <charconv>
#include <cmath>

namespace gongzhi {

// As Boost.JSON's serializer escapes a string: quotes, backslashes and control characters; every
// other byte as it is (text here is UTF-8 already). Written in place, without a string per value.
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\b': out += 'b'; break;
      case '\f': out += 'f'; break;
      case '\n': out += 'n'; break;
      case '\r': out += 'r'; break;
      case '\t': out += 't'; break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {

template <typename Int>
void WriteInt(std::string& out, Int v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void Write(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, std::string_view(k.data(), k.size()));
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
    case boost::json::kind::string: {
      const auto& str = v.get_string();
      AppendJsonString(out, std::string_view(str.data(), str.size()));
      break;
    }
    case boost::json::kind::int64: WriteInt(out, v.get_int64()); break;
    case boost::json::kind::uint64: WriteInt(out, v.get_uint64()); break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::null: out += "null"; break;
  }
}

}  // namespace

std::string& JsonObjectWriter::Key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  AppendJsonString(out_, name);
  out_ += ':';
  return out_;
}

void JsonObjectWriter::Int(std::string_view name, int64_t v) { WriteInt(Key(name), v); }

void JsonObjectWriter::Double(std::string_view name, double v) { Write(Key(name), boost::json::value(v)); }

std::string JsonText(const boost::json::value& v) {
  std::string out;
  out.reserve(512);
  Write(out, v);
  return out;
}

}  // namespace gongzhi
