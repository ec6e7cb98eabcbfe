#include "core/csv.h"

namespace gongzhi {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  malformed_ = false;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '\n' || c == '\r') {  // empty line
      if (c == '\n') ++next_line_;
      ++pos_;
      continue;
    }
    if (c == '#') {  // comment line
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      continue;
    }
    break;
  }
  if (pos_ >= text_.size()) return false;
  line_ = next_line_;
  start_ = pos_;
  std::string field;
  bool in_quotes = false;
  while (pos_ < text_.size()) {
    char c = text_[pos_++];
    if (in_quotes) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++next_line_;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\r') {
      // part of CRLF; ignored
    } else if (c == '\n') {
      ++next_line_;
      break;
    } else {
      field += c;
    }
  }
  if (in_quotes) malformed_ = true;
  fields.push_back(std::move(field));
  return true;
}

}  // namespace gongzhi
