// REST endpoints of the assessment (考核): figures with numerator and denominator, rankings,
// drill-down to the cases behind a number.
#pragma once

#include "app/assessment.h"
#include "http/router.h"

namespace gongzhi::http {

void AddAssessmentRoutes(Router& router, AssessmentService& assessment);

}  // namespace gongzhi::http
