// Open311 GeoReport v2 over HTTP (/open311/v2/...): JSON and XML, form-encoded POST, errors as the
// specification writes them ([{"code":..,"description":..}] or <errors>).
#pragma once

#include "app/open311.h"
#include "http/router.h"

namespace gongzhi::http {

void AddOpen311Routes(Router& router, Open311Service& open311, std::string base_url_path = "/open311/v2");

}  // namespace gongzhi::http
