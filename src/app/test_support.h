// Helpers for use-case tests: a temporary SQLite store and the repository's data files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "store/sql_store.h"

namespace gongzhi::testing {

inline std::string ReadRepoFile(const std::string& rel) {
  std::ifstream in(std::string(GZ_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempStore {
 public:
  TempStore() {
    dir_ = std::filesystem::temp_directory_path() / ("gz_app_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = OpenStore(path(), clock_);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    store_ = std::move(s).value();
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path() const { return (dir_ / "t.db").string(); }
  Store& store() { return *store_; }
  ManualClock& clock() { return clock_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  ManualClock clock_{1'795'000'000'000};
  std::unique_ptr<Store> store_;
};

}  // namespace gongzhi::testing
