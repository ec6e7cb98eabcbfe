#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <poll.h>

#include <cctype>
#include <cerrno>
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
  bool healthy() const override { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

  // PostgreSQL keeps no count of changed rows (a data-modifying CTE's tag counts its SELECT's
  // rows), so this counts the statements run that may change rows: all but those beginning with
  // SELECT. A failed statement aborts the transaction, which gives no mark.
  std::optional<int64_t> WriteMark() const override {
    if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) return std::nullopt;
    return may_have_written_;
  }

  Result<ExecResult> Exec(std::string_view sql, const std::vector<Value>& params) override {
    TextParams text(params);
    const std::string* name = nullptr;
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
      std::string n = "s" + std::to_string(next_name_++);
      PGresult* pr = PQprepare(conn_, n.c_str(), RewritePlaceholders(sql).c_str(), 0, nullptr);
      Status s = Check(pr);
      PQclear(pr);
      if (!s.ok()) return s;
      it = prepared_.emplace(std::move(key), std::move(n)).first;
    }
    if (it != prepared_.end()) name = &it->second;
    PGresult* res = name ? PQexecPrepared(conn_, name->c_str(), text.size(), text.values(), nullptr, nullptr, 0)
                         : PQexecParams(conn_, RewritePlaceholders(sql).c_str(), text.size(), nullptr, text.values(),
                                        nullptr, nullptr, 0);
    if (!StartsWithSelect(sql)) ++may_have_written_;
    return Take(res);
  }

  bool CanPipeline() const override { return true; }

  // libpq's pipeline mode: every statement (and the Parse of each one not prepared yet) is sent,
  // then one Sync, then the answers are read in order. Sending is non-blocking, reading what the
  // server answers meanwhile, so that neither side can stall on the other's full socket buffer.
  std::vector<Result<ExecResult>> Pipeline(const std::vector<Statement>& statements) override {
    std::vector<Result<ExecResult>> out(statements.size(), Status::Internal("postgres: no answer in the pipeline"));
    if (PQenterPipelineMode(conn_) != 1) {
      for (auto& r : out) r = Status::Unavailable("postgres: no pipeline: " + LastError());
      return out;
    }
    // What each answer read back is for: -1 a Parse (prepared statement) of `parsed`, else a statement's index.
    std::vector<int> answers;
    std::vector<std::string> parsed;  // SQL texts first prepared in this pipeline
    bool sent = PQsetnonblocking(conn_, 1) == 0;
    for (size_t i = 0; sent && i < statements.size(); ++i) {
      const Statement& st = statements[i];
      TextParams text(st.params);
      auto it = prepared_.find(st.sql);
      if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
        std::string n = "s" + std::to_string(next_name_++);
        if (!PQsendPrepare(conn_, n.c_str(), RewritePlaceholders(st.sql).c_str(), 0, nullptr)) {
          sent = false;
          break;
        }
        it = prepared_.emplace(st.sql, std::move(n)).first;
        parsed.push_back(st.sql);
        answers.push_back(-1);
      }
      sent = it != prepared_.end()
                 ? PQsendQueryPrepared(conn_, it->second.c_str(), text.size(), text.values(), nullptr, nullptr, 0)
                 : PQsendQueryParams(conn_, RewritePlaceholders(st.sql).c_str(), text.size(), nullptr, text.values(),
                                     nullptr, nullptr, 0);
      if (sent) answers.push_back(static_cast<int>(i));
      if (!StartsWithSelect(st.sql)) ++may_have_written_;
    }
    sent = sent && PQpipelineSync(conn_) == 1;
    int flushed = 0;
    while (sent && (flushed = PQflush(conn_)) == 1) {
      pollfd pfd{PQsocket(conn_), POLLIN | POLLOUT, 0};
      if (poll(&pfd, 1, -1) < 0 && errno != EINTR) flushed = -1;
      else if ((pfd.revents & POLLIN) && !PQconsumeInput(conn_)) flushed = -1;
      if (flushed < 0) break;
    }
    PQsetnonblocking(conn_, 0);
    if (!sent || flushed < 0) {
      // The connection cannot be trusted with what is left in it: the writer opens another.
      broken_ = true;
      for (auto& r : out) r = Status::Unavailable("postgres: sending the pipeline failed: " + LastError());
      return out;
    }
    size_t parse = 0;  // the next of `parsed` to answer
    for (int a : answers) {
      PGresult* res = PQgetResult(conn_);
      if (!res) {
        broken_ = true;
        break;
      }
      if (a < 0) {
        // A statement is prepared only if its Parse succeeded (not failed, nor skipped after a
        // failure); the server does not know the others' names.
        if (PQresultStatus(res) != PGRES_COMMAND_OK) prepared_.erase(parsed[parse]);
        ++parse;
        PQclear(res);
      } else if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
        PQclear(res);
        out[a] = Status::Internal("postgres: not run: an earlier statement of the pipeline failed");
      } else {
        out[a] = Take(res);
      }
      if (PGresult* rest = PQgetResult(conn_)) PQclear(rest);  // the null that ends each answer
    }
    for (; parse < parsed.size(); ++parse) prepared_.erase(parsed[parse]);  // not answered: the connection broke
    if (!broken_) {
      PGresult* sync = PQgetResult(conn_);
      if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) broken_ = true;
      PQclear(sync);
      if (!broken_ && PQexitPipelineMode(conn_) != 1) broken_ = true;
    }
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
  static constexpr size_t kMaxPrepared = 256;

  // Parameters as libpq takes them: text, NULL for an empty value.
  class TextParams {
   public:
    explicit TextParams(const std::vector<Value>& params) : text_(params.size()), values_(params.size()) {
      for (size_t i = 0; i < params.size(); ++i) {
        const Value& v = params[i];
        if (std::holds_alternative<std::monostate>(v)) continue;
        if (auto p = std::get_if<int64_t>(&v)) text_[i] = std::to_string(*p);
        else if (auto p = std::get_if<double>(&v)) {
          // The shortest text that reads back as the same double (snprintf's "%.17g" took 7% of
          // the process's CPU in PostgreSQL intake: its exact decimal expansion is multi-precision).
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, *p);
          text_[i].assign(buf, r.ptr);
        } else text_[i] = std::get<std::string>(v);
        values_[i] = text_[i].c_str();
      }
    }
    int size() const { return static_cast<int>(values_.size()); }
    const char* const* values() const { return values_.data(); }

   private:
    std::vector<std::string> text_;
    std::vector<const char*> values_;
  };

  // The rows (as text) and the count of changed rows of `res`, which it frees.
  Result<ExecResult> Take(PGresult* res) {
    Status s = Check(res);
    if (!s.ok()) {
      PQclear(res);
      return s;
    }
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

  std::string LastError() const {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
  }

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
  bool broken_ = false;           // a pipeline left the connection in an unknown state
  int64_t next_name_ = 0;         // of the next prepared statement: names are never reused
};

}  // namespace

namespace {
std::string& ApplicationName() {
  static std::string name = "gongzhi";
  return name;
}
}  // namespace

void SetPostgresApplicationName(std::string name) { ApplicationName() = std::move(name); }

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& conninfo) {
  // dbname is expanded as the whole conninfo or URI; the fallback name yields to one it gives.
  const char* keys[] = {"dbname", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), ApplicationName().c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
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
