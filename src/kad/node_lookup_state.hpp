#pragma once
// The bookkeeping of an iterative Kad node lookup (aMule's NODE search,
// reference §3.3): who is closest to the target so far, whom to ask next (the
// ALPHA closest not yet asked, among the K closest known), and when the
// lookup is over (the K closest known have all answered or failed, or the
// query budget is spent). Answers are filtered as aMule's search filters
// them: more contacts than asked for → the answer is ignored; a contact on an
// IP already known, or a third one in a /24 (LAN excepted), is left out.
// Pure: the coroutine in node_lookup.cpp sends and waits.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kad/kad_id.hpp"
#include "kad/kad_messages.hpp"

namespace mulenet::kad {

inline constexpr std::size_t kLookupAlpha = 3;         // ALPHA_QUERY
inline constexpr std::size_t kLookupWanted = 11;       // 0x0B: what aMule asks each node for
inline constexpr std::size_t kLookupMaxQueries = 64;   // our bound on one lookup

class NodeLookupState {
 public:
  enum class Step { fresh, asked, answered, failed };
  struct Candidate {
    Contact contact;
    Step step = Step::fresh;
  };

  NodeLookupState(KadId own, KadId target, std::size_t k = 10, std::size_t alpha = kLookupAlpha,
                  std::size_t max_queries = kLookupMaxQueries);

  // Contacts to start from (our routing table's closest). Filtered as answers are.
  void seed(const std::vector<Contact>& contacts);
  // The next contacts to ask (they are marked asked): at most alpha in flight.
  [[nodiscard]] std::vector<Contact> next();
  // An answer from `from`; returns the contacts it taught us (new ones),
  // or nothing when the answer was ignored.
  std::vector<Contact> answered(const KadId& from, const std::vector<Contact>& listed, std::size_t asked_for);
  void failed(const KadId& from);

  [[nodiscard]] bool done() const;
  [[nodiscard]] std::size_t in_flight() const;
  [[nodiscard]] std::size_t queries() const { return queries_; }
  [[nodiscard]] bool budget_spent() const { return queries_ >= max_queries_; }
  // The K closest known (those not failed) have all answered: the lookup found its neighbourhood.
  [[nodiscard]] bool converged() const;
  // The n closest contacts that answered us (alive, and they know our target's neighbourhood).
  [[nodiscard]] std::vector<Contact> closest_answered(std::size_t n) const;
  [[nodiscard]] const std::vector<Candidate>& candidates() const { return candidates_; }

 private:
  bool admit(const Contact& c);
  void sort();

  KadId own_;
  KadId target_;
  std::size_t k_;
  std::size_t alpha_;
  std::size_t max_queries_;
  std::size_t queries_ = 0;
  std::vector<Candidate> candidates_;  // sorted by distance to the target
};

}  // namespace mulenet::kad
