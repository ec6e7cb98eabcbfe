#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>

#include <unordered_map>

namespace gongzhi::sql {

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

class PgConnection : public Connection {
 public:
  explicit PgConnection(PGconn* c) : conn_(c) {}
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  // PostgreSQL keeps no count of changed rows (a data-modifying CTE's tag counts its SELECT's
  // rows), so this counts the statements run that may change rows: all but those beginning with
  // SELECT. A failed statement aborts the transaction, which gives no mark.
  std::optional<int64_t> WriteMark() const override {
    if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) return std::nullopt;
    return may_have_written_;
  }

  Result<ExecResult> Exec(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        values[i] = nullptr;
        continue;
      }
      if (auto p = std::get_if<int64_t>(&v)) text[i] = std::to_string(*p);
      else if (auto p = std::get_if<double>(&v)) {
        // The shortest text that reads back as the same double (snprintf's "%.17g" took 7% of
        // the process's CPU in PostgreSQL intake: its exact decimal expansion is multi-precision).
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, *p);
        text[i].assign(buf, r.ptr);
      } else text[i] = std::get<std::string>(v);
      values[i] = text[i].c_str();
    }
    PGresult* res;
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end() && prepared_.size() < 256) {
      std::string name = "s" + std::to_string(prepared_.size());
      PGresult* pr = PQprepare(conn_, name.c_str(), RewritePlaceholders(sql).c_str(), 0, nullptr);
      Status s = Check(pr);
      PQclear(pr);
      if (!s.ok()) return s;
      it = prepared_.emplace(key, name).first;
    }
    if (it != prepared_.end()) {
      res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                           nullptr, 0);
    } else {
      res = PQexecParams(conn_, RewritePlaceholders(sql).c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0);
    }
    Status s = Check(res);
    if (!s.ok()) {
      PQclear(res);
      return s;
    }
    if (!StartsWithSelect(sql)) ++may_have_written_;
    ExecResult out;
    int rows = PQntuples(res), cols = PQnfields(res);
    out.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> row;
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) row.emplace_back(std::monostate{});
        else row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
      out.rows.emplace_back(std::move(row));
    }
    const char* affected = PQcmdTuples(res);
    out.affected = affected && *affected ? std::atoll(affected) : 0;
    PQclear(res);
    return out;
  }

  Status ExecScript(std::string_view script) override {
    ++may_have_written_;
    PGresult* res = PQexec(conn_, std::string(script).c_str());
    Status s = Check(res);
    PQclear(res);
    return s;
  }

 private:
  static bool StartsWithSelect(std::string_view sql) {
    size_t i = sql.find_first_not_of(" \t\r\n");
    if (i == std::string_view::npos || sql.size() - i < 6) return false;
    for (size_t k = 0; k < 6; ++k)
      if (std::toupper(static_cast<unsigned char>(sql[i + k])) != "SELECT"[k]) return false;
    return true;
  }

  Status Check(PGresult* res) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    std::string msg = "postgres: ";
    msg += res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    if (PQstatus(conn_) != CONNECTION_OK || code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 ||
        code == "40001" || code == "40P01")
      return Status::Unavailable(msg);
    if (code.rfind("23", 0) == 0) return Status::Conflict(msg);
    return Status::Internal(msg);
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;
  int64_t may_have_written_ = 0;  // statements run that may have changed rows (WriteMark)
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(c);
    return Status::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  auto conn = std::make_unique<PgConnection>(c);
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  GZ_RETURN_IF_ERROR(conn->ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace gongzhi::sql
