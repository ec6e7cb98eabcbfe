#include "store/sql.h"

#include <charconv>

namespace gongzhi::sql {

int64_t Row::Int(size_t i) const { return live_ ? live_->Int(i) : IntOf(v_[i]); }
double Row::Real(size_t i) const { return live_ ? live_->Real(i) : RealOf(v_[i]); }
std::string Row::Text(size_t i) const { return live_ ? live_->Text(i) : TextOf(Value(v_[i])); }

int64_t Row::IntOf(const Value& v) {
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::RealOf(const Value& v) {
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0;
}

std::string Row::TextOf(Value&& v) {
  if (auto p = std::get_if<std::string>(&v)) return std::move(*p);
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

namespace {
thread_local bool t_reserved = false;
}  // namespace

void Pool::MarkThisThreadReserved() { t_reserved = true; }

Result<Pool::Lease> Pool::Acquire() {
  const bool reserved = t_reserved && reserved_ > 0;
  std::unique_lock lock(mu_);
  if (!reserved) {
    // First the unmarked threads' share (at most size_ leases).
    if (leased_unreserved_ < size_ && !StarvingLocked()) {  // no waiters, or none starving
      ++leased_unreserved_;
    } else {
      Waiter w;
      w.since = now_();
      waiters_.push_back(&w);
      w.cv.wait(lock, [&] { return w.granted || (waiters_.front() == &w && leased_unreserved_ < size_); });
      if (!w.granted) {  // took a share given back while nobody was starving
        waiters_.pop_front();
        ++leased_unreserved_;
      }
      if (!waiters_.empty() && leased_unreserved_ < size_) waiters_.front()->cv.notify_one();
    }
  }
  // Then a connection: with a share there is one idle or room to open one, unless marked threads
  // hold the rest for a moment.
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_ + reserved_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c), reserved);
  }
  if (backoff_.count() && now_() < retry_at_) {
    if (!reserved) ReleaseShareLocked();
    return Status::Unavailable("the database is unreachable; the next attempt to connect is due shortly");
  }
  ++open_;
  lock.unlock();
  auto c = factory_();
  std::lock_guard relock(mu_);
  if (!c.ok()) {
    --open_;
    if (!reserved) ReleaseShareLocked();
    if (c.status().code() == ErrorCode::kUnavailable) {
      backoff_ = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(100), backoff_ * 2));
      retry_at_ = now_() + backoff_;
    }
    cv_.notify_one();
    return c.status();
  }
  backoff_ = std::chrono::milliseconds(0);
  return Lease(this, std::move(c).value(), reserved);
}

bool Pool::StarvingLocked() const { return !waiters_.empty() && now_() - waiters_.front()->since > kStarveAfter; }

void Pool::ReleaseShareLocked() {
  if (StarvingLocked()) {  // handed over as it is: the count stays
    Waiter* w = waiters_.front();
    waiters_.pop_front();
    w->granted = true;
    w->cv.notify_one();
    return;
  }
  --leased_unreserved_;
  if (!waiters_.empty()) waiters_.front()->cv.notify_one();  // it competes with whoever comes now
}

void Pool::Release(std::unique_ptr<Connection> c, bool reserved) {
  std::lock_guard lock(mu_);
  if (!reserved) ReleaseShareLocked();
  if (c->healthy()) {
    idle_.push_back(std::move(c));
  } else {
    // Dropped; the next Acquire opens a fresh one. The idle ones were most likely broken by the same
    // cause (a database restart): dropped too, so that no later request is the one to find out.
    --open_;
    open_ -= idle_.size();
    idle_.clear();
  }
  cv_.notify_one();
}

Transaction::~Transaction() {
  if (open_) c_.Exec("ROLLBACK");
}

Status Transaction::Open(const char* begin) {
  auto r = c_.Exec(begin);
  if (!r.ok()) return r.status();
  open_ = true;
  return Status::Ok();
}

Status Transaction::Begin() { return Open(write_ && c_.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"); }

const char* Transaction::SnapshotSql(const Connection& c) {
  return c.dialect() == Dialect::kSqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
}

Status Transaction::BeginSnapshot() {
  if (write_) return Status::Internal("a snapshot is read-only");
  return Open(SnapshotSql(c_));
}

Status Transaction::Commit() {
  auto r = c_.Exec("COMMIT");
  open_ = false;
  if (!r.ok()) {
    c_.Exec("ROLLBACK");
    return r.status();
  }
  return Status::Ok();
}

std::vector<Result<ExecResult>> PipelineInSnapshot(Connection& c, std::vector<Statement> statements) {
  statements.insert(statements.begin(), Statement{Transaction::SnapshotSql(c), {}});
  statements.push_back(Statement{"COMMIT", {}});
  auto rs = c.Pipeline(statements);
  Status failed = Status::Ok();
  for (const auto& r : rs)
    if (!r.ok()) {
      failed = r.status();
      break;
    }
  rs.pop_back();
  rs.erase(rs.begin());
  if (!failed.ok()) {
    // A failed statement left the transaction open and failed (its COMMIT was not run); a failed
    // BEGIN or COMMIT leaves none, and then this ROLLBACK only warns.
    c.Exec("ROLLBACK");
    for (auto& r : rs) r = failed;
  }
  return rs;
}

}  // namespace gongzhi::sql
