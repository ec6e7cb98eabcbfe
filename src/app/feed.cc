#include "app/feed.h"

#include <algorithm>

namespace gongzhi {

FeedHub::FeedHub(CaseStore& store, Clock& clock, FeedOptions opts) : store_(store), clock_(clock), opts_(opts) {}

Status FeedHub::Start() {
  if (started_) return Status::Ok();
  GZ_ASSIGN_OR_RETURN(auto bounds, store_.FeedBounds());
  cursor_ = bounds.second;  // live from now: history is read by subscribers that ask for it
  started_ = true;
  return Status::Ok();
}

void FeedHub::Advance(bool give_up) {
  const InstantMs now = clock_.Now();
  while (!above_.empty()) {
    auto first = above_.begin();
    if (first->first == cursor_ + 1 || (give_up && now - first->second >= opts_.gap_wait_ms)) {
      cursor_ = first->first;
      above_.erase(first);
    } else {
      break;
    }
  }
}

void FeedHub::DeliverToAll(const FeedEntry& e, int64_t resume_id) {
  std::erase_if(subs_, [&](const Sub& s) { return s.scope.Sees(e) && !s.sink->Deliver(e, resume_id); });
}

Status FeedHub::Subscribe(FeedScope scope, std::optional<int64_t> last_id, std::shared_ptr<FeedSink> sink) {
  std::lock_guard lock(mu_);
  GZ_RETURN_IF_ERROR(Start());
  if (last_id && *last_id < cursor_) {
    GZ_ASSIGN_OR_RETURN(auto bounds, store_.FeedBounds());
    const int64_t hi = above_.empty() ? cursor_ : above_.rbegin()->first;
    // What it missed is pruned (all of it, when the feed is empty now).
    bool reset = bounds.first == 0 || bounds.first > *last_id + 1;
    std::vector<FeedEntry> backlog;
    for (int64_t after = *last_id; !reset;) {
      GZ_ASSIGN_OR_RETURN(auto rows, store_.ReadFeed(after, hi, opts_.batch));
      for (auto& e : rows)
        if (scope.Sees(e) && (e.id <= cursor_ || above_.count(e.id))) backlog.push_back(std::move(e));
      if (static_cast<int>(backlog.size()) > opts_.max_backlog) reset = true;
      if (static_cast<int>(rows.size()) < opts_.batch) break;
      after = rows.back().id;
    }
    if (reset) {
      if (!sink->Reset(cursor_)) return Status::Ok();
    } else {
      for (const auto& e : backlog)
        if (!sink->Deliver(e, std::min(e.id, cursor_))) return Status::Ok();
    }
  }
  subs_.push_back({std::move(scope), std::move(sink)});
  return Status::Ok();
}

Status FeedHub::Poll() {
  std::unique_lock poll(poll_mu_, std::try_to_lock);
  if (!poll.owns_lock()) return Status::Ok();
  std::lock_guard lock(mu_);
  GZ_RETURN_IF_ERROR(Start());
  const InstantMs now = clock_.Now();
  // Late commits below the highest id seen (another node's transaction, a sequence gap) first.
  for (int64_t after = cursor_; !above_.empty() && after < above_.rbegin()->first;) {
    GZ_ASSIGN_OR_RETURN(auto rows, store_.ReadFeed(after, above_.rbegin()->first, opts_.batch));
    if (rows.empty()) break;
    after = rows.back().id;
    for (const auto& e : rows) {
      if (e.id <= cursor_ || !above_.emplace(e.id, now).second) continue;  // delivered already
      Advance(false);
      DeliverToAll(e, cursor_);
    }
  }
  // Then everything new.
  for (;;) {
    const int64_t seen = above_.empty() ? cursor_ : above_.rbegin()->first;
    GZ_ASSIGN_OR_RETURN(auto rows, store_.ReadFeed(seen, 0, opts_.batch));
    for (const auto& e : rows) {
      above_.emplace(e.id, now);
      Advance(false);
      DeliverToAll(e, cursor_);
    }
    if (static_cast<int>(rows.size()) < opts_.batch) break;
  }
  Advance(true);
  return Status::Ok();
}

void FeedHub::Maintain(bool prune) {
  const InstantMs now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [](const Sub& s) { return !s.sink->Heartbeat(); });
    if (!prune || now - last_prune_ < 3'600'000) return;
    last_prune_ = now;
  }
  (void)store_.PruneFeed(now - opts_.keep_days * 86'400'000);
}

Result<FeedPage> FeedHub::Since(const FeedScope& scope, int64_t after, int limit) {
  FeedPage out;
  out.through = after;
  for (int pages = 0; pages < 10; ++pages) {
    GZ_ASSIGN_OR_RETURN(auto rows, store_.ReadFeed(out.through, 0, opts_.batch));
    for (auto& e : rows) {
      if (static_cast<int>(out.entries.size()) == limit) return out;
      out.through = e.id;
      if (scope.Sees(e)) out.entries.push_back(std::move(e));
    }
    if (static_cast<int>(rows.size()) < opts_.batch) break;
  }
  return out;
}

size_t FeedHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

int64_t FeedHub::cursor() const {
  std::lock_guard lock(mu_);
  return cursor_;
}

}  // namespace gongzhi
