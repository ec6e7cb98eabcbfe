// libFuzzer target: division-code CSV files (gongzhi import divisions).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/division_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* under : {"", "13"}) {
    gongzhi::DivisionCsv csv(text, under);
    if (!csv.Open().ok()) continue;
    gongzhi::Region r;
    while (csv.Next(r)) {
      // Every accepted row satisfies the region invariants.
      if (!gongzhi::ValidateRegion(r, "x").ok()) __builtin_trap();
    }
  }
  return 0;
}
