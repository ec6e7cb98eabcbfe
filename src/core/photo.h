// Photos of cases: only JPEG, PNG and WebP, recognised by their bytes (not by what the client
// claims), at most kMaxPhotoBytes each and kMaxPhotosPerStage per case and stage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gongzhi {

inline constexpr size_t kMaxPhotoBytes = 5 << 20;
inline constexpr int kMaxPhotosPerStage = 9;

// "image/jpeg", "image/png" or "image/webp" from the leading bytes; InvalidArgument naming `field`
// for anything else, for an empty or oversize body (kPayloadTooLarge), or when `declared` (the
// Content-Type sent, parameters ignored) names another type.
Result<std::string> CheckPhoto(std::string_view bytes, std::string_view declared, const std::string& field);

}  // namespace gongzhi
