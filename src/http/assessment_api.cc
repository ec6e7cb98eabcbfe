#include "http/assessment_api.h"

#include "http/access.h"
#include "http/json_io.h"

#include <cstdio>

namespace gongzhi::http {

namespace {

// ?period=2026-11 (or 2026, 2026-Q4, 2026-W48, 2026-11-26), or ?from=&to= (dates, inclusive);
// ?subject=, ?region=, ?category=.
Result<AssessmentScope> ScopeOf(const Request& req) {
  AssessmentScope s;
  auto period = req.Param("period");
  auto from = req.Param("from"), to = req.Param("to");
  if (period && (from || to)) return Status::Invalid("period", "give period or from/to, not both");
  if (period) {
    GZ_ASSIGN_OR_RETURN(auto range, ParsePeriodName(*period));
    s.from = range.first, s.to = range.second;
  } else {
    if (!from || !to) return Status::Invalid(from ? "to" : "from", "is required (YYYY-MM-DD), or give period");
    GZ_RETURN_IF_ERROR(ParseDateRange(req, s.from, s.to));
  }
  GZ_ASSIGN_OR_RETURN(s, ParseSubject(req.Param("subject").value_or(""), s));
  GZ_ASSIGN_OR_RETURN(std::string r, ParseRegionParam(req));
  if (req.Param("region") && r.empty()) return Status::Invalid("region", "must be a region code (digits)");
  if (!r.empty()) {
    if (!s.region_prefix.empty() && !r.starts_with(s.region_prefix) && !s.region_prefix.starts_with(r))
      return Status::Invalid("region", "does not overlap the subject's region");
    if (r.size() > s.region_prefix.size()) s.region_prefix = r;
  }
  // Whatever the subject, only facts inside the caller's region count.
  GZ_ASSIGN_OR_RETURN(s.region_prefix, ViewableRegion(req, s.region_prefix));
  if (auto c = req.Param("category")) {
    if (c->empty() || c->size() > 32) return Status::Invalid("category", "must be a category code");
    s.category_prefix = *c;
  }
  return s;
}

json::value RateJson(const Rate& r) {
  json::object o{{"numerator", r.numerator}, {"denominator", r.denominator}};
  if (auto v = r.value()) o["value"] = *v;
  else o["value"] = nullptr;
  return o;
}

json::object FiguresJson(const Figures& f) {
  json::object counts;
  for (const auto& field : kRollupFields) counts[field.name] = f.counts.*field.member;
  json::object rates{{"response", RateJson(f.response)},         {"resolution", RateJson(f.resolution)},
                     {"satisfaction", RateJson(f.satisfaction)}, {"on_time", RateJson(f.on_time)},
                     {"rework", RateJson(f.rework)},             {"return", RateJson(f.returns)}};
  json::object o{{"counts", std::move(counts)}, {"rates", std::move(rates)}};
  o["average_handling_hours"] = f.average_handling_hours ? json::value(*f.average_handling_hours) : json::value(nullptr);
  o["score"] = f.score ? json::value(*f.score) : json::value(nullptr);
  o["late_acks"] = f.late_acks;
  return o;
}

json::object PeriodJson(const AssessmentScope& s, const AssessmentWeights& w) {
  return {{"from", FormatDate(s.from)},
          {"to", FormatDate(s.to)},
          {"weights", {{"response", w.response}, {"resolution", w.resolution}, {"satisfaction", w.satisfaction}}}};
}

Result<RollupGroup> GroupOf(const std::string& g) {
  if (g == "unit") return RollupGroup::kUnit;
  if (g == "worker") return RollupGroup::kWorker;
  if (g == "county") return RollupGroup::kCounty;
  if (g == "township") return RollupGroup::kTownship;
  if (g == "community") return RollupGroup::kCommunity;
  if (g == "category") return RollupGroup::kCategory;
  if (g == "day") return RollupGroup::kDay;
  return Status::Invalid("group", "must be unit, worker, county, township, community, category or day");
}

std::string CsvNumber(std::optional<double> v) {
  if (!v) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", *v);
  return buf;
}

// The ranking as CSV for spreadsheets: UTF-8 with a byte-order mark so Excel shows Chinese text.
Response RankingCsv(const std::vector<RankRow>& rows, const AssessmentScope& scope) {
  std::string out = "\xEF\xBB\xBF";
  out += "rank,key,name,score,response_rate,response_numerator,response_denominator,resolution_rate,solved,rated,"
         "satisfaction_rate,satisfied,on_time_rate,on_time,due_minus_deferred,rework_rate,return_rate,overdue,"
         "average_handling_hours\r\n";
  int rank = 0;
  for (const auto& r : rows) {
    const Figures& f = r.figures;
    std::vector<std::string> cols{f.score ? std::to_string(++rank) : "",
                                  CsvCell(r.key),
                                  CsvCell(r.name),
                                  CsvNumber(f.score),
                                  CsvNumber(f.response.value()),
                                  std::to_string(f.response.numerator),
                                  std::to_string(f.response.denominator),
                                  CsvNumber(f.resolution.value()),
                                  std::to_string(f.resolution.numerator),
                                  std::to_string(f.resolution.denominator),
                                  CsvNumber(f.satisfaction.value()),
                                  std::to_string(f.satisfaction.numerator),
                                  CsvNumber(f.on_time.value()),
                                  std::to_string(f.on_time.numerator),
                                  std::to_string(f.on_time.denominator),
                                  CsvNumber(f.rework.value()),
                                  CsvNumber(f.returns.value()),
                                  std::to_string(f.counts.overdue),
                                  CsvNumber(f.average_handling_hours)};
    for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
    out += "\r\n";
  }
  Response resp;
  resp.content_type = "text/csv; charset=utf-8";
  resp.body = std::move(out);
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"ranking-" + FormatDate(scope.from) + "-" +
                                                       FormatDate(scope.to) + ".csv\"");
  return resp;
}

}  // namespace

void AddAssessmentRoutes(Router& R, AssessmentService& a) {
  R.Add("GET", "/api/v1/assessment", [&a](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    return OrError(a.Assess(*scope), [&](const Figures& f) {
      json::object o = PeriodJson(*scope, a.weights());
      o["subject"] = req.Param("subject").value_or("all");
      o["figures"] = FiguresJson(f);
      return Json(o);
    });
  });
  R.Add("GET", "/api/v1/assessment/ranking", [&a](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    auto group = GroupOf(req.Param("group").value_or(""));
    if (!group.ok()) return ErrorResponse(group.status());
    std::string format = req.Param("format").value_or("json");
    if (format != "json" && format != "csv") return ErrorResponse(Status::Invalid("format", "must be json or csv"));
    return OrError(a.Rank(*group, *scope), [&](const std::vector<RankRow>& rows) {
      if (format == "csv") return RankingCsv(rows, *scope);
      json::array out;
      int rank = 0;
      for (const auto& r : rows) {
        json::object o{{"key", r.key}, {"name", r.name}, {"figures", FiguresJson(r.figures)}};
        o["rank"] = r.figures.score ? json::value(++rank) : json::value(nullptr);
        out.push_back(std::move(o));
      }
      json::object o = PeriodJson(*scope, a.weights());
      o["group"] = *req.Param("group");
      o["rows"] = std::move(out);
      return Json(o);
    });
  });
  R.Add("GET", "/api/v1/assessment/cases", [&a](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    auto metric = req.Param("metric");
    if (!metric) return ErrorResponse(Status::Invalid("metric", "is required (one of the counts, e.g. on_time)"));
    int limit = 100, offset = 0;
    if (Status s = ParsePaging(req, limit, offset); !s.ok()) return ErrorResponse(s);
    return OrError(a.DrillDown(*scope, *metric, limit), [&](const std::vector<CaseFact>& facts) {
      json::array out;
      for (const auto& f : facts) {
        json::object o{{"case_id", f.case_id},         {"dispatch", f.n},
                       {"region_code", f.region_code}, {"category_code", f.category_code},
                       {"dispatched_at", f.dispatched_at}, {"response_due", f.response_due},
                       {"handling_due", f.handling_due},   {"claimed_at", f.claimed_at},
                       {"resolved_at", f.resolved_at},     {"returned", f.returned},
                       {"deferred", f.deferred},           {"overdue", f.overdue},
                       {"reworks", f.reworks},             {"handling_minutes", f.handling_minutes}};
        if (f.unit_id) o["unit_id"] = f.unit_id;
        if (f.worker_id) o["worker_id"] = f.worker_id;
        if (f.solved >= 0) o["solved"] = f.solved == 1;
        if (f.satisfied >= 0) o["satisfied"] = f.satisfied == 1;
        out.push_back(std::move(o));
      }
      json::object o = PeriodJson(*scope, a.weights());
      o["metric"] = *metric;
      o["cases"] = std::move(out);
      return Json(o);
    });
  });
}

}  // namespace gongzhi::http
