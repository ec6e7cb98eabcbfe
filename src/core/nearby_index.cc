#include "core/nearby_index.h"

#include <algorithm>
#include <cmath>

#include "core/case.h"

namespace gongzhi {

uint32_t NearbyIndex::CategoryId(std::string_view category) {
  auto it = categories_.find(std::string(category));
  if (it != categories_.end()) return it->second;
  const auto id = static_cast<uint32_t>(categories_.size());
  categories_.emplace(std::string(category), id);
  return id;
}

std::string NearbyIndex::DescriptionPreview(std::string_view d) {
  constexpr size_t kMax = 280;
  if (d.size() <= kMax) return std::string(d);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(d[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return std::string(d.substr(0, cut)) + "…";
}

void NearbyIndex::Put(Entry e, std::string_view category) {
  const int64_t id = e.id;
  Erase(id);
  if (category.empty()) return;
  Key k{GeoCell(e.lng, e.lat), CategoryId(category)};
  cells_[k].push_back(std::move(e));
  where_[id] = k;
}

void NearbyIndex::Erase(int64_t id) {
  auto w = where_.find(id);
  if (w == where_.end()) return;
  auto c = cells_.find(w->second);
  if (c != cells_.end()) {
    auto& v = c->second;
    auto e = std::find_if(v.begin(), v.end(), [id](const Entry& x) { return x.id == id; });
    if (e != v.end()) {
      *e = std::move(v.back());
      v.pop_back();
    }
    if (v.empty()) cells_.erase(c);
  }
  where_.erase(w);
}

std::vector<NearbyIndex::Hit> NearbyIndex::Find(const Query& q) const {
  std::vector<Hit> out;
  auto cat = categories_.find(q.category);
  if (cat == categories_.end() || q.limit == 0) return out;
  // The box around the circle rejects most entries of the corner cells before the trigonometry
  // of the exact distance.
  const auto [dlat, dlng] = BoxAround(q.lat, q.radius_m);
  for (int64_t cell : GeoCellsAround(q.lng, q.lat, q.radius_m)) {
    auto c = cells_.find(Key{cell, cat->second});
    if (c == cells_.end()) continue;
    for (const Entry& e : c->second) {
      if (std::abs(e.lat - q.lat) > dlat || std::abs(e.lng - q.lng) > dlng) continue;
      if (e.id == q.exclude_id || e.created_at < q.created_from) continue;
      if (q.created_to && e.created_at > q.created_to) continue;
      double d = DistanceM(q.lng, q.lat, e.lng, e.lat);
      if (d <= q.radius_m) out.push_back({e.id, d, &e});
    }
  }
  std::sort(out.begin(), out.end(), NearerFirst);
  if (out.size() > q.limit) out.resize(q.limit);
  return out;
}

}  // namespace gongzhi
