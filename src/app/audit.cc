#include "app/audit.h"

#include <boost/json.hpp>

#include "core/sha256.h"

namespace gongzhi {

// Written directly, byte for byte what serializing the JSON object {case_id, seq, at, actor,
// action, from, to, payload} gives (kept that way: the hashes of stored chains depend on it),
// without building the object: it runs on the writer for every event.
std::string CanonicalEvent(const CaseEvent& e) {
  std::string out;
  out.reserve(160 + e.actor.size() + e.payload.size() + e.payload.size() / 8);
  auto text = [&out](const char* key, const std::string& v) {
    out += key;
    out += boost::json::serialize(boost::json::string_view(v));
  };
  out += "{\"case_id\":" + std::to_string(e.case_id);
  out += ",\"seq\":" + std::to_string(e.seq);
  out += ",\"at\":" + std::to_string(e.at);
  text(",\"actor\":", e.actor);
  text(",\"action\":", e.action);
  text(",\"from\":", e.from_state);
  text(",\"to\":", e.to_state);
  text(",\"payload\":", e.payload);
  out += '}';
  return out;
}

// core's Sha256 rather than libsodium's portable code: with the CPU's SHA instructions the hash of
// an event costs the SQLite writer a sixth as much (audit_test holds both to libsodium's answers).
std::string Sha256Hex(std::string_view bytes) { return Sha256().Update(bytes).FinalHex(); }

std::string EventHash(const CaseEvent& e) {
  return Sha256().Update(e.prev_hash).Update("\n").Update(CanonicalEvent(e)).FinalHex();
}

Result<AuditReport> VerifyAuditTrail(CaseStore& store) {
  AuditReport rep;
  int64_t cur_case = 0, expect_seq = 0;
  std::string prev, cur_tail;
  auto fail = [&](int64_t id, int64_t seq, std::string why) {
    rep.ok = false;
    rep.broken_case = id;
    rep.broken_seq = seq;
    rep.problem = std::move(why);
    return false;
  };
  // At the end of each case's chain, the last hash must be the one the case row recorded.
  auto close_case = [&]() {
    if (cur_case && prev != cur_tail)
      return fail(cur_case, expect_seq, "events after " + std::to_string(expect_seq - 1) + " are missing from the chain");
    return true;
  };
  Status s = store.ForEachEvent([&](const CaseEvent& e, const std::string& tail) {
    if (e.case_id != cur_case) {
      if (!close_case()) return false;
      cur_case = e.case_id;
      cur_tail = tail;
      expect_seq = 1;
      prev.clear();
      ++rep.cases;
    }
    ++rep.events;
    if (e.seq != expect_seq)
      return fail(e.case_id, e.seq, "expected event " + std::to_string(expect_seq) + ", found " + std::to_string(e.seq));
    if (e.prev_hash != prev) return fail(e.case_id, e.seq, "prev_hash does not match the hash of the event before");
    if (EventHash(e) != e.hash) return fail(e.case_id, e.seq, "the event's content does not match its hash");
    prev = e.hash;
    ++expect_seq;
    return true;
  });
  GZ_RETURN_IF_ERROR(s);
  if (rep.ok) close_case();
  if (!rep.ok) return rep;
  GZ_ASSIGN_OR_RETURN(int64_t cases, store.CountCases());
  if (cases != rep.cases) {
    rep.ok = false;
    rep.problem = std::to_string(cases - rep.cases) + " case(s) have no events at all";
  }
  return rep;
}

}  // namespace gongzhi
