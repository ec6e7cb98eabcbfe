// The tamper-evident audit trail of cases: each event's hash is SHA-256 over the previous hash
// and the event's canonical form, so changing, removing or reordering any event breaks the chain.
#pragma once

#include <string>
#include <string_view>

#include "app/case_store.h"

namespace gongzhi {

// Canonical text of an event (fixed field order, JSON): what the hash covers.
std::string CanonicalEvent(const CaseEvent& e);
// Lower-case hex SHA-256 of prev_hash + "\n" + CanonicalEvent(e).
std::string EventHash(const CaseEvent& e);

struct AuditReport {
  int64_t cases = 0, events = 0;
  bool ok = true;
  int64_t broken_case = 0, broken_seq = 0;  // the first broken link when !ok
  std::string problem;
};

// Walks every chain in the store: sequence numbers, links and hashes, and each case's recorded
// last hash (which catches events removed from the end).
Result<AuditReport> VerifyAuditTrail(CaseStore& store);

// Lower-case hex SHA-256 of `bytes` (64 characters).
std::string Sha256Hex(std::string_view bytes);

}  // namespace gongzhi
