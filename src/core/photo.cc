#include "core/photo.h"

namespace gongzhi {

Result<std::string> CheckPhoto(std::string_view b, std::string_view declared, const std::string& field) {
  if (b.empty()) return Status::Invalid(field, "the photo is empty");
  if (b.size() > kMaxPhotoBytes)
    return Status(ErrorCode::kPayloadTooLarge, "a photo may have at most " + std::to_string(kMaxPhotoBytes >> 20) + " MiB",
                  field);
  std::string type;
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") type = "image/jpeg";
  else if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) type = "image/png";
  else if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") type = "image/webp";
  else return Status::Invalid(field, "only JPEG, PNG and WebP photos are accepted");
  std::string_view d = declared.substr(0, declared.find(';'));
  while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
  if (!d.empty() && d != type && d != "application/octet-stream")
    return Status::Invalid(field, "the content is " + type + " but was sent as " + std::string(d));
  return type;
}

}  // namespace gongzhi
