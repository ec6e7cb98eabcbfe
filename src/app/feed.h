// Live push of case events to consoles. The hub reads the feed table (written with the events,
// by whichever node) and hands each new entry to the subscribers whose scope sees it. A subscriber
// that comes back with the last id it received first gets what it missed.
//
// Delivery is at least once, in feed order per poll: the resume id given with each entry is the
// highest id below which nothing is pending, so an entry that commits late with a lower id (another
// node's transaction, PostgreSQL sequences) is still delivered, and a reconnect may repeat
// entries; clients drop repeats by the entry's own id.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "app/case_store.h"
#include "core/clock.h"
#include "core/feed.h"

namespace gongzhi {

// Where a subscriber's entries go (an SSE connection). Calls come from the hub's threads and
// must not block; a sink returns false once its client is gone, and is then dropped.
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  virtual bool Deliver(const FeedEntry& e, int64_t resume_id) = 0;
  // Too far behind (or pruned): the client must reload its lists, then follows live from `resume_id`.
  virtual bool Reset(int64_t resume_id) = 0;
  virtual bool Heartbeat() = 0;
};

struct FeedOptions {
  int max_backlog = 5000;          // entries a reconnecting subscriber may catch up on, else Reset
  int batch = 2000;                // entries read per poll
  int64_t gap_wait_ms = 10'000;    // how long a missing id may still commit before it is given up
  int64_t keep_days = 7;           // entries older are pruned
};

struct FeedPage {
  std::vector<FeedEntry> entries;
  int64_t through = 0;  // every entry up to this id was looked at: the next page starts after it
};

class FeedHub {
 public:
  FeedHub(CaseStore& store, Clock& clock, FeedOptions opts = {});

  // Adds a subscriber. With `last_id`, it first receives the entries after it that it may see.
  Status Subscribe(FeedScope scope, std::optional<int64_t> last_id, std::shared_ptr<FeedSink> sink);
  // Reads what was committed since the last poll and delivers it. Called periodically (and after
  // local commits); concurrent calls return at once.
  Status Poll();
  // Sends a heartbeat to every subscriber (drops those gone) and, with `prune` (on the node that
  // runs the periodic jobs), deletes old entries.
  void Maintain(bool prune = true);
  // Entries after `after` that `scope` sees, at most `limit` (the polling API).
  Result<FeedPage> Since(const FeedScope& scope, int64_t after, int limit);
  size_t subscribers() const;
  int64_t cursor() const;

 private:
  struct Sub {
    FeedScope scope;
    std::shared_ptr<FeedSink> sink;
  };
  Status Start();  // with mu_ held
  // With mu_ held: moves cursor_ over delivered ids and, when `give_up`, over gaps older than
  // gap_wait_ms.
  void Advance(bool give_up);
  void DeliverToAll(const FeedEntry& e, int64_t resume_id);

  CaseStore& store_;
  Clock& clock_;
  FeedOptions opts_;
  mutable std::mutex mu_;
  std::mutex poll_mu_;
  bool started_ = false;
  int64_t cursor_ = 0;              // every id <= cursor_ is delivered or given up
  std::map<int64_t, InstantMs> above_;  // delivered ids > cursor_ (a gap below them), when first seen
  InstantMs last_prune_ = 0;
  std::vector<Sub> subs_;
};

}  // namespace gongzhi
