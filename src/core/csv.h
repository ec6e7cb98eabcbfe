// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF line ends,
// an optional UTF-8 byte-order mark. No I/O of its own: it is fed text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gongzhi {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);
  // Reads the next record into `fields`; false at the end of the input. Lines starting with '#'
  // outside quotes are comments and are skipped, as are empty lines.
  bool Next(std::vector<std::string>& fields);
  // 1-based line number where the last returned record started.
  size_t line() const { return line_; }
  // Where the last returned record started in the text: a reader of the text from there reads it
  // again.
  size_t offset() const { return start_; }
  // True when the last record had an unterminated quoted field.
  bool malformed() const { return malformed_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t next_line_ = 1;
  size_t line_ = 0;
  size_t start_ = 0;
  bool malformed_ = false;
};

}  // namespace gongzhi
