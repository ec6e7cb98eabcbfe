// REST endpoints of the case engine: configuration, cases and their actions, public tracking.
#pragma once

#include "app/cases.h"
#include "http/router.h"

namespace gongzhi::http {

// The acting person comes from the X-Gongzhi-Actor header ("dispatcher:130404001", "unit:5",
// "worker:3", "system") until accounts arrive (issue #6).
void AddCaseRoutes(Router& router, CaseService& cases);

}  // namespace gongzhi::http
