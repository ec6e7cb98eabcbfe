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

// The token a page proves with (X-CSRF-Token) that a write riding on the session cookie comes
// from our own page: derived from the session, so nothing more is stored; given at sign-in.
std::string CsrfTokenOf(const std::string& session_token);

}  // namespace gongzhi::http
