#include "core/photo.h"

#include <gtest/gtest.h>

namespace gongzhi {
namespace {

const std::string kPng("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
const std::string kJpeg("\xFF\xD8\xFF\xE0\0\x10JFIF", 10);

TEST(PhotoTest, TypeFromBytesNotFromTheClaim) {
  EXPECT_EQ(*CheckPhoto(kPng, "image/png", "photo"), "image/png");
  EXPECT_EQ(*CheckPhoto(kJpeg, "", "photo"), "image/jpeg");
  EXPECT_EQ(*CheckPhoto(std::string("RIFF\0\0\0\0WEBPVP8 ", 16), "image/webp; q=1", "photo"), "image/webp");
  EXPECT_EQ(CheckPhoto(kPng, "image/jpeg", "photo").status().field(), "photo");
  EXPECT_FALSE(CheckPhoto("<svg onload=alert(1)>", "image/svg+xml", "photo").ok());
  EXPECT_FALSE(CheckPhoto("GIF89a....", "image/gif", "photo").ok());
  EXPECT_FALSE(CheckPhoto("", "image/png", "photo").ok());
  EXPECT_EQ(CheckPhoto(kJpeg + std::string(kMaxPhotoBytes, 'x'), "image/jpeg", "photo").status().code(),
            ErrorCode::kPayloadTooLarge);
}

}  // namespace
}  // namespace gongzhi
