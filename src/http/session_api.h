// Sign-in (issue #6): sessions for the browser (HttpOnly, SameSite=Strict cookie), bearer API
// tokens for machines, and the authentication every API request goes through.
#pragma once

#include <optional>

#include "app/accounts.h"
#include "http/router.h"

namespace gongzhi::http {

void AddSessionRoutes(Router& router, AccountService& accounts);

// The credential of a request: "Authorization: Bearer TOKEN", else the gz_session cookie; empty when none.
std::string CredentialOf(const Request& req, bool* bearer = nullptr);

}  // namespace gongzhi::http
