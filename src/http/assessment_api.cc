#include "http/assessment_api.h"

#include "http/access.h"
#include "http/json_io.h"

#include <algorithm>
#include <cstdio>
#include <span>

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

// Written straight into text: a city's ranking has thousands of rows, and a boost::json tree of
// them (~30 blocks a row) took most of the answer's time and ~40 MB of small blocks.
void WriteRate(std::string& out, const Rate& r) {
  JsonObjectWriter o(out);
  o.Int("numerator", r.numerator);
  o.Int("denominator", r.denominator);
  if (auto v = r.value()) o.Double("value", *v);
  else o.Null("value");
  o.Close();
}

void WriteOptional(JsonObjectWriter& o, std::string_view name, std::optional<double> v) {
  if (v) o.Double(name, *v);
  else o.Null(name);
}

void WriteFigures(std::string& out, const Figures& f) {
  JsonObjectWriter o(out);
  {
    JsonObjectWriter counts(o.Key("counts"));
    for (const auto& field : kRollupFields) counts.Int(field.name, f.counts.*field.member);
    counts.Close();
  }
  {
    JsonObjectWriter rates(o.Key("rates"));
    const std::pair<std::string_view, const Rate*> named[] = {{"response", &f.response},   {"resolution", &f.resolution},
                                                              {"satisfaction", &f.satisfaction}, {"on_time", &f.on_time},
                                                              {"rework", &f.rework},       {"return", &f.returns}};
    for (const auto& [name, rate] : named) WriteRate(rates.Key(name), *rate);
    rates.Close();
  }
  WriteOptional(o, "average_handling_hours", f.average_handling_hours);
  WriteOptional(o, "score", f.score);
  o.Int("late_acks", f.late_acks);
  o.Close();
}

// The members every assessment answer starts with: the period and the weights of the score.
void WritePeriod(JsonObjectWriter& o, const AssessmentScope& s, const AssessmentWeights& w) {
  o.String("from", FormatDate(s.from));
  o.String("to", FormatDate(s.to));
  JsonObjectWriter weights(o.Key("weights"));
  weights.Double("response", w.response);
  weights.Double("resolution", w.resolution);
  weights.Double("satisfaction", w.satisfaction);
  weights.Close();
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
Response RankingCsv(std::span<const RankRow> rows, const AssessmentScope& scope, int first_rank) {
  std::string out = "\xEF\xBB\xBF";
  out += "rank,key,name,score,response_rate,response_numerator,response_denominator,resolution_rate,solved,rated,"
         "satisfaction_rate,satisfied,on_time_rate,on_time,due_minus_deferred,rework_rate,return_rate,overdue,"
         "average_handling_hours\r\n";
  int rank = first_rank;  // the rows are a page of the ranking, starting after `first_rank` rows
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
      std::string out;
      JsonObjectWriter o(out);
      WritePeriod(o, *scope, a.weights());
      o.String("subject", req.Param("subject").value_or("all"));
      WriteFigures(o.Key("figures"), f);
      o.Close();
      return JsonResponse(std::move(out));
    });
  });
  R.Add("GET", "/api/v1/assessment/ranking", [&a](const Request& req, const Params&) {
    auto scope = ScopeOf(req);
    if (!scope.ok()) return ErrorResponse(scope.status());
    auto group = GroupOf(req.Param("group").value_or(""));
    if (!group.ok()) return ErrorResponse(group.status());
    std::string format = req.Param("format").value_or("json");
    if (format != "json" && format != "csv") return ErrorResponse(Status::Invalid("format", "must be json or csv"));
    // ?limit=&offset=: a page of the ranking, ranks as in the whole (红黑榜: the first N, or the
    // last N of those with a score at offset scored − N). Without limit, every row.
    int limit = 0, offset = 0;
    if (Status s = ParsePaging(req, limit, offset); !s.ok()) return ErrorResponse(s);
    const bool paged = req.Param("limit").has_value();
    return OrError(a.Rank(*group, *scope), [&](const std::vector<RankRow>& rows) {
      // Rows with a score come first (Rank sorts them so), so a row's rank is its place.
      const size_t total = rows.size();
      const size_t scored = static_cast<size_t>(
          std::count_if(rows.begin(), rows.end(), [](const RankRow& r) { return r.figures.score.has_value(); }));
      const size_t first = std::min(total, static_cast<size_t>(offset));
      const auto page = std::span(rows).subspan(first, paged ? std::min(total - first, static_cast<size_t>(limit))
                                                              : total - first);
      if (format == "csv") return RankingCsv(page, *scope, static_cast<int>(first));
      std::string out;
      out.reserve(256 + page.size() * 900);
      JsonObjectWriter o(out);
      WritePeriod(o, *scope, a.weights());
      o.String("group", *req.Param("group"));
      AppendArray(o.Key("rows"), page, [&rows](std::string& list, const RankRow& r) {
        JsonObjectWriter row(list);
        row.String("key", r.key);
        row.String("name", r.name);
        WriteFigures(row.Key("figures"), r.figures);
        if (r.figures.score) row.Int("rank", &r - rows.data() + 1);  // its place in the whole ranking
        else row.Null("rank");
        row.Close();
      });
      o.Int("total", static_cast<int64_t>(total));
      o.Int("scored", static_cast<int64_t>(scored));
      o.Close();
      return JsonResponse(std::move(out));
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
      std::string out;
      out.reserve(256 + facts.size() * 400);
      JsonObjectWriter o(out);
      WritePeriod(o, *scope, a.weights());
      o.String("metric", *metric);
      AppendArray(o.Key("cases"), facts, [](std::string& a, const CaseFact& f) {
        JsonObjectWriter w(a);
        w.Int("case_id", f.case_id);
        w.Int("dispatch", f.n);
        w.String("region_code", f.region_code);
        w.String("category_code", f.category_code);
        w.Int("dispatched_at", f.dispatched_at);
        w.Int("response_due", f.response_due);
        w.Int("handling_due", f.handling_due);
        w.Int("claimed_at", f.claimed_at);
        w.Int("resolved_at", f.resolved_at);
        w.Bool("returned", f.returned);
        w.Bool("deferred", f.deferred);
        w.Bool("overdue", f.overdue);
        w.Int("reworks", f.reworks);
        w.Int("handling_minutes", f.handling_minutes);
        if (f.unit_id) w.Int("unit_id", f.unit_id);
        if (f.worker_id) w.Int("worker_id", f.worker_id);
        if (f.solved >= 0) w.Bool("solved", f.solved == 1);
        if (f.satisfied >= 0) w.Bool("satisfied", f.satisfied == 1);
        w.Close();
      });
      o.Close();
      return JsonResponse(std::move(out));
    });
  });
}

}  // namespace gongzhi::http
