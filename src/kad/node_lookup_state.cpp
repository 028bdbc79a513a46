#include "kad/node_lookup_state.hpp"

#include <algorithm>

#include "kad/routing_table.hpp"

namespace mulenet::kad {

namespace {

constexpr std::size_t kMaxCandidates = 500;
constexpr std::size_t kMaxPerSubnet = 2;

bool exempt_from_subnet_limit(std::uint32_t ip) { return is_lan_kad_ip(ip) || (ip >> 24) == 127; }

}  // namespace

NodeLookupState::NodeLookupState(KadId own, KadId target, std::size_t k, std::size_t alpha, std::size_t max_queries)
    : own_(own), target_(target), k_(k), alpha_(alpha), max_queries_(max_queries)
{
}

bool NodeLookupState::admit(const Contact& c)
{
  if (c.id == own_ || c.ip == 0 || c.udp_port == 0 || c.version < 2) return false;
  if (candidates_.size() >= kMaxCandidates) return false;
  std::size_t same_subnet = 0;
  for (const Candidate& k : candidates_) {
    if (k.contact.id == c.id || k.contact.ip == c.ip) return false;
    if ((k.contact.ip & 0xFFFFFF00u) == (c.ip & 0xFFFFFF00u)) ++same_subnet;
  }
  if (same_subnet >= kMaxPerSubnet && !exempt_from_subnet_limit(c.ip)) return false;
  candidates_.push_back({c, Step::fresh});
  return true;
}

void NodeLookupState::sort()
{
  std::stable_sort(candidates_.begin(), candidates_.end(), [&](const Candidate& a, const Candidate& b) {
    return (a.contact.id ^ target_) < (b.contact.id ^ target_);
  });
}

void NodeLookupState::seed(const std::vector<Contact>& contacts)
{
  for (const Contact& c : contacts) admit(c);
  sort();
}

std::size_t NodeLookupState::in_flight() const
{
  return static_cast<std::size_t>(
      std::count_if(candidates_.begin(), candidates_.end(), [](const Candidate& c) { return c.step == Step::asked; }));
}

std::vector<Contact> NodeLookupState::next()
{
  std::vector<Contact> out;
  std::size_t flying = in_flight();
  // Only among the k closest still in the running (answered or not yet asked).
  std::size_t considered = 0;
  for (Candidate& c : candidates_) {
    if (c.step == Step::failed) continue;
    if (++considered > k_) break;
    if (flying >= alpha_ || queries_ >= max_queries_) break;
    if (c.step != Step::fresh) continue;
    c.step = Step::asked;
    ++flying;
    ++queries_;
    out.push_back(c.contact);
  }
  return out;
}

std::vector<Contact> NodeLookupState::answered(const KadId& from, const std::vector<Contact>& listed,
                                               std::size_t asked_for)
{
  std::vector<Contact> learned;
  const auto it = std::find_if(candidates_.begin(), candidates_.end(),
                               [&](const Candidate& c) { return c.contact.id == from; });
  if (it == candidates_.end() || it->step != Step::asked) return learned;  // not asked: ignored
  it->step = Step::answered;
  if (listed.size() > asked_for) return learned;  // as aMule: more than we asked for is ignored
  for (const Contact& c : listed)
    if (admit(c)) learned.push_back(c);
  sort();
  return learned;
}

void NodeLookupState::failed(const KadId& from)
{
  for (Candidate& c : candidates_)
    if (c.contact.id == from && c.step == Step::asked) c.step = Step::failed;
}

bool NodeLookupState::converged() const
{
  std::size_t considered = 0;
  for (const Candidate& c : candidates_) {
    if (c.step == Step::failed) continue;
    if (++considered > k_) break;
    if (c.step != Step::answered) return false;
  }
  return true;
}

bool NodeLookupState::done() const
{
  if (in_flight() > 0) return false;
  return budget_spent() || converged();
}

std::vector<Contact> NodeLookupState::closest_answered(std::size_t n) const
{
  std::vector<Contact> out;
  for (const Candidate& c : candidates_) {
    if (out.size() >= n) break;
    if (c.step == Step::answered) out.push_back(c.contact);
  }
  return out;
}

}  // namespace mulenet::kad
