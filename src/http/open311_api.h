// Open311 GeoReport v2 over HTTP (/open311/v2/...): JSON and XML, form-encoded POST, errors as the
// specification writes them ([{"code":..,"description":..}] or <errors>).
#pragma once

#include "app/accounts.h"
#include "app/open311.h"
#include "http/router.h"

namespace gongzhi::http {

// `accounts`: when given, an account's API token (gzt_...) is also a valid api_key, so partners
// are managed (and revoked) like any other machine account.
void AddOpen311Routes(Router& router, Open311Service& open311, AccountService* accounts = nullptr,
                      std::string base_url_path = "/open311/v2");

}  // namespace gongzhi::http
