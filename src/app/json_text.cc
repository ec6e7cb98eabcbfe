#include "app/json_text.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace gongzhi {

namespace {

// Whether JSON escapes byte `c` in a string: a quote, a backslash or a control character.
bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Whether any of the eight bytes of `w` is a quote, a backslash or a control character (below
// 0x20): the bytes a JSON string escapes. Exact (no byte is flagged wrongly when none matches),
// so a word without any is copied as it is.
bool AnyToEscape(uint64_t w) {
  constexpr uint64_t k01 = 0x0101010101010101ULL, k80 = 0x8080808080808080ULL;
  const uint64_t below_space = (w - k01 * 0x20) & ~w & k80;
  const uint64_t q = w ^ (k01 * '"'), b = w ^ (k01 * '\\');
  const uint64_t quote = (q - k01) & ~q & k80, backslash = (b - k01) & ~b & k80;
  return (below_space | quote | backslash) != 0;
}

}  // namespace

// As Boost.JSON's serializer escapes a string: quotes, backslashes and control characters; every
// other byte as it is (text here is UTF-8 already). Written in place, without a string per value;
// eight bytes at a time while none needs escaping (descriptions, hashes and codes mostly do not).
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const size_t n = s.size();
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < n;) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!AnyToEscape(w)) {
        i += 8;
        continue;
      }
    }
    for (const size_t end = std::min(n, i + 8); i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (!NeedsEscape(c)) continue;
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
  }
  out.append(s.data() + run, n - run);
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

char* JsonObjectWriter::PutKey(char* p, std::string_view name) {
  assert(std::none_of(name.begin(), name.end(), [](char c) { return NeedsEscape(static_cast<unsigned char>(c)); }));
  if (!first_) *p++ = ',';
  first_ = false;
  *p++ = '"';
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  *p++ = '"';
  *p++ = ':';
  return p;
}

// Each written in place at the end of the text (one append per piece was a tenth of a case
// view's instructions).
std::string& JsonObjectWriter::Key(std::string_view name) {
  const size_t at = out_.size();
  out_.resize(at + name.size() + 4);
  out_.resize(PutKey(out_.data() + at, name) - out_.data());
  return out_;
}

void JsonObjectWriter::Int(std::string_view name, int64_t v) {
  const size_t at = out_.size();
  out_.resize(at + name.size() + 4 + 20);  // 20: INT64_MIN's digits and sign
  char* p = PutKey(out_.data() + at, name);
  out_.resize(std::to_chars(p, out_.data() + out_.size(), v).ptr - out_.data());
}

void JsonObjectWriter::Double(std::string_view name, double v) { Write(Key(name), boost::json::value(v)); }

std::string JsonText(const boost::json::value& v) {
  std::string out;
  out.reserve(512);
  Write(out, v);
  return out;
}

}  // namespace gongzhi
