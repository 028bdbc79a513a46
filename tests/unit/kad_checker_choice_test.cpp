// Which Kad nodes may check our ports now (kad/checker_choice.hpp), given
// what earlier runs did with them (CheckerMemory).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kad/checker_choice.hpp"
#include "kad/kad_verdicts.hpp"

using namespace mulenet::kad;

namespace {

constexpr UnixSeconds kT0 = 1'700'000'000;
const CheckerWindows kWindows{};  // flow 600 s, re-check 300 s

std::uint32_t ip_of(std::size_t n) { return 0x0A000001u + static_cast<std::uint32_t>(n); }

// n candidates, as a lookup found them: 10.0.0.1, 10.0.0.2, ...
std::vector<Contact> candidates(std::size_t n)
{
  std::vector<Contact> out;
  for (std::size_t i = 0; i < n; ++i) {
    Contact c;
    c.id.wire.fill(static_cast<std::uint8_t>(i + 1));
    c.ip = ip_of(i);
    c.udp_port = 4672;
    c.tcp_port = 4662;
    c.version = 8;
    out.push_back(c);
  }
  return out;
}

// The candidates' indices of a list of checkers, in its order.
std::vector<std::size_t> indices(const std::vector<Contact>& list)
{
  std::vector<std::size_t> out;
  for (const Contact& c : list) out.push_back(c.ip - 0x0A000001u);
  return out;
}

using Idx = std::vector<std::size_t>;

}  // namespace

TEST(KadCheckerChoice, EmptyMemoryUdpFromTheBackTcpFromTheFront)
{
  const CheckerChoice c = choose_checkers(candidates(5), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(c.udp), (Idx{4, 3}));
  EXPECT_EQ(indices(c.tcp), (Idx{0, 1, 2}));
  EXPECT_TRUE(c.udp_backups.empty());
  EXPECT_EQ(c.tcp_fit, 5u);
  EXPECT_EQ(c.udp_fit, 5u);
  EXPECT_EQ(c.checked_recently, 0u);
  EXPECT_EQ(c.udp_flow_recent, 0u);
  EXPECT_EQ(c.tcp_enough_at, std::nullopt);
  EXPECT_EQ(c.udp_enough_at, std::nullopt);
}

TEST(KadCheckerChoice, TcpIsServedFirstWhenTooFewForBoth)
{
  const CheckerChoice three = choose_checkers(candidates(3), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(three.tcp), (Idx{0, 1, 2}));
  EXPECT_TRUE(three.udp.empty());
  const CheckerChoice four = choose_checkers(candidates(4), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(four.tcp), (Idx{0, 1, 2}));
  EXPECT_EQ(indices(four.udp), (Idx{3}));
  const CheckerChoice two = choose_checkers(candidates(2), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(two.tcp), (Idx{0, 1}));
  EXPECT_TRUE(two.udp.empty());
}

TEST(KadCheckerChoice, OneFitNodeGoesToUdpAsTcpCannotDecideWithIt)
{
  const CheckerChoice c = choose_checkers(candidates(1), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(c.udp), (Idx{0}));
  EXPECT_TRUE(c.tcp.empty());
}

TEST(KadCheckerChoice, NothingWantedNothingChosen)
{
  const CheckerChoice c = choose_checkers(candidates(3), {}, kT0, kWindows, 0, 0);
  EXPECT_TRUE(c.tcp.empty());
  EXPECT_TRUE(c.udp.empty());
  EXPECT_EQ(indices(c.udp_backups), (Idx{0, 1, 2}));
}

TEST(KadCheckerChoice, FitNodesLeftOverAreUdpBackupsFromTheFront)
{
  const CheckerChoice c = choose_checkers(candidates(10), {}, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(c.udp), (Idx{9, 8}));
  EXPECT_EQ(indices(c.tcp), (Idx{0, 1, 2}));
  EXPECT_EQ(indices(c.udp_backups), (Idx{3, 4, 5, 6}));  // at most kMaxUdpBackups
}

TEST(KadCheckerChoice, RecentUdpFlowExcludesFromUdpButNotFromTcp)
{
  const auto all = candidates(5);
  CheckerMemory m;
  m.note_udp_exchange(ip_of(4), kT0 - 10);
  const CheckerChoice c = choose_checkers(all, m, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(c.udp), (Idx{3, 2}));
  EXPECT_EQ(indices(c.tcp), (Idx{4, 0, 1}));  // the one useless for UDP first
  EXPECT_EQ(c.udp_fit, 4u);
  EXPECT_EQ(c.tcp_fit, 5u);
  EXPECT_EQ(c.udp_flow_recent, 1u);
  EXPECT_EQ(c.checked_recently, 0u);
}

TEST(KadCheckerChoice, NodeWithRecentFlowIsNeverUdpCheckerNorBackup)
{
  CheckerMemory m;
  for (std::size_t i = 0; i < 3; ++i) m.note_udp_exchange(ip_of(i), kT0 - 599);
  const CheckerChoice c = choose_checkers(candidates(3), m, kT0, kWindows, 0, 3);
  EXPECT_TRUE(c.udp.empty());
  EXPECT_TRUE(c.udp_backups.empty());
  EXPECT_EQ(c.udp_fit, 0u);
  EXPECT_EQ(c.udp_flow_recent, 3u);
}

TEST(KadCheckerChoice, TcpTakesNodesUselessForUdpFirst)
{
  CheckerMemory m;
  m.note_udp_exchange(ip_of(1), kT0 - 10);
  const CheckerChoice c = choose_checkers(candidates(4), m, kT0, kWindows, 2, 0);
  EXPECT_EQ(indices(c.tcp), (Idx{1, 0}));
  EXPECT_EQ(indices(c.udp_backups), (Idx{2, 3}));
}

TEST(KadCheckerChoice, NodeThatCheckedUsRecentlyIsNeither)
{
  const auto all = candidates(7);
  CheckerMemory m;
  m.note_tcp_check(ip_of(0), kT0 - 10, TcpCheckOutcome::acked);
  m.note_udp_check(ip_of(6), kT0 - 10, UdpCheckOutcome::arrived);
  const CheckerChoice c = choose_checkers(all, m, kT0, kWindows, 3, 2);
  EXPECT_EQ(indices(c.udp), (Idx{5, 4}));
  EXPECT_EQ(indices(c.tcp), (Idx{1, 2, 3}));
  EXPECT_TRUE(c.udp_backups.empty());
  EXPECT_EQ(c.checked_recently, 2u);
  EXPECT_EQ(c.tcp_fit, 5u);
  EXPECT_EQ(c.udp_fit, 5u);
}

TEST(KadCheckerChoice, EveryOutcomeOfACheckCounts)
{
  for (const auto o : {TcpCheckOutcome::acked, TcpCheckOutcome::no_ack, TcpCheckOutcome::silent}) {
    CheckerMemory m;
    m.note_tcp_check(ip_of(0), kT0, o);
    const CheckerChoice c = choose_checkers(candidates(1), m, kT0, kWindows, 3, 2);
    EXPECT_TRUE(c.tcp.empty() && c.udp.empty() && c.udp_backups.empty()) << to_string(o);
  }
  for (const auto o : {UdpCheckOutcome::arrived, UdpCheckOutcome::declined, UdpCheckOutcome::silent}) {
    CheckerMemory m;
    m.note_udp_check(ip_of(0), kT0, o);
    const CheckerChoice c = choose_checkers(candidates(1), m, kT0, kWindows, 3, 2);
    EXPECT_TRUE(c.tcp.empty() && c.udp.empty() && c.udp_backups.empty()) << to_string(o);
  }
}

TEST(KadCheckerChoice, FitAgainOnceTheWindowsHavePassed)
{
  const auto all = candidates(2);
  CheckerMemory m;
  m.note_tcp_check(ip_of(0), kT0, TcpCheckOutcome::acked);
  m.note_udp_exchange(ip_of(1), kT0);
  const CheckerChoice before = choose_checkers(all, m, kT0 + 299, kWindows, 0, 2);
  EXPECT_EQ(indices(before.udp), (Idx{}));
  EXPECT_EQ(before.tcp_fit, 1u);
  const CheckerChoice recheck_passed = choose_checkers(all, m, kT0 + 300, kWindows, 0, 2);
  EXPECT_EQ(indices(recheck_passed.udp), (Idx{0}));
  EXPECT_EQ(recheck_passed.tcp_fit, 2u);
  const CheckerChoice flow_passed = choose_checkers(all, m, kT0 + 600, kWindows, 0, 2);
  EXPECT_EQ(indices(flow_passed.udp), (Idx{1, 0}));
}

TEST(KadCheckerChoice, FitMomentsFollowTheWindows)
{
  const CheckerWindows lab{std::chrono::seconds{30}, std::chrono::seconds{60}};
  EXPECT_EQ(tcp_fit_at(nullptr, lab), 0);
  EXPECT_EQ(udp_fit_at(nullptr, lab), 0);
  PeerNotes p;
  p.hello = kT0;  // a HELLO alone changes neither
  EXPECT_EQ(tcp_fit_at(&p, lab), 0);
  EXPECT_EQ(udp_fit_at(&p, lab), 0);
  p.udp_exchange = kT0;
  EXPECT_EQ(tcp_fit_at(&p, lab), 0);
  EXPECT_EQ(udp_fit_at(&p, lab), kT0 + 30);
  p.tcp_check = kT0 + 5;
  EXPECT_EQ(tcp_fit_at(&p, lab), kT0 + 65);
  EXPECT_EQ(udp_fit_at(&p, lab), kT0 + 65);
  p.udp_check = kT0 + 10;
  EXPECT_EQ(tcp_fit_at(&p, lab), kT0 + 70);
  p.udp_exchange = kT0 + 100;
  EXPECT_EQ(udp_fit_at(&p, lab), kT0 + 130);
}

// A node that may know us (a HELLO from us, or any check of us, declined or
// not) would answer the UDP test with "I already know your IP".
TEST(KadCheckerChoice, NodesThatMayKnowUsAreAskedForUdpLast)
{
  const auto all = candidates(6);
  CheckerMemory m;
  m.note_hello(ip_of(5), kT0 - 1000);
  m.note_udp_check(ip_of(4), kT0 - 1000, UdpCheckOutcome::declined);
  m.note_tcp_check(ip_of(3), kT0 - 1000, TcpCheckOutcome::no_ack);
  m.note_udp_check(ip_of(2), kT0 - 1000, UdpCheckOutcome::silent);
  m.note_udp_exchange(ip_of(1), kT0 - 1000);  // an old flow alone: it does not know us
  const CheckerChoice two = choose_checkers(all, m, kT0, kWindows, 0, 2);
  EXPECT_EQ(indices(two.udp), (Idx{1, 0}));
  const CheckerChoice four = choose_checkers(all, m, kT0, kWindows, 0, 4);
  EXPECT_EQ(indices(four.udp), (Idx{1, 0, 5, 4}));
  const CheckerChoice all_six = choose_checkers(all, m, kT0, kWindows, 0, 6);
  EXPECT_EQ(indices(all_six.udp), (Idx{1, 0, 5, 4, 3, 2}));
}

TEST(KadCheckerChoice, EnoughTcpNodesFitAgainAtTheSecondEarliest)
{
  CheckerMemory m;
  m.note_tcp_check(ip_of(0), kT0 - 100, TcpCheckOutcome::acked);  // fit at kT0 + 200
  m.note_tcp_check(ip_of(1), kT0 - 250, TcpCheckOutcome::no_ack);  // fit at kT0 + 50
  const CheckerChoice c = choose_checkers(candidates(3), m, kT0, kWindows, 3, 2);
  EXPECT_EQ(c.tcp_fit, 1u);
  EXPECT_EQ(c.tcp_enough_at, kT0 + 50);
  EXPECT_EQ(c.udp_enough_at, std::nullopt);  // one is fit now
  const CheckerChoice none_fit = choose_checkers(candidates(2), m, kT0, kWindows, 3, 2);
  EXPECT_EQ(none_fit.tcp_enough_at, kT0 + 200);
  EXPECT_EQ(none_fit.udp_enough_at, kT0 + 50);
}

TEST(KadCheckerChoice, EnoughUdpNodesFitAgainAtTheEarliest)
{
  CheckerMemory m;
  m.note_udp_exchange(ip_of(0), kT0 - 10);   // fit at kT0 + 590
  m.note_udp_exchange(ip_of(1), kT0 - 500);  // fit at kT0 + 100
  const CheckerChoice c = choose_checkers(candidates(2), m, kT0, kWindows, 3, 2);
  EXPECT_EQ(c.udp_fit, 0u);
  EXPECT_EQ(c.udp_enough_at, kT0 + 100);
  EXPECT_EQ(c.tcp_enough_at, std::nullopt);  // both are fit for TCP
}

TEST(KadCheckerChoice, NoEnoughMomentWithTooFewCandidates)
{
  CheckerMemory m;
  m.note_tcp_check(ip_of(0), kT0, TcpCheckOutcome::acked);
  const CheckerChoice c = choose_checkers(candidates(1), m, kT0, kWindows, 3, 2);
  EXPECT_EQ(c.tcp_enough_at, std::nullopt);  // one node can never make two
  EXPECT_EQ(c.udp_enough_at, kT0 + 300);
  const CheckerChoice empty = choose_checkers({}, m, kT0, kWindows, 3, 2);
  EXPECT_TRUE(empty.tcp.empty() && empty.udp.empty());
  EXPECT_EQ(empty.tcp_enough_at, std::nullopt);
  EXPECT_EQ(empty.udp_enough_at, std::nullopt);
}

// The lab's "check again at once" (tests/lab/cases/kad_recheck.sh) with six
// nodes: run 1 asks 3 for TCP and 2 for UDP and exchanges UDP with those 5;
// run 2, seconds later, has one node fit for UDP and none to decide TCP.
TEST(KadCheckerChoice, LabSecondRunAtOnceAsksOnlyTheUntouchedNode)
{
  const auto all = candidates(6);
  const CheckerChoice first = choose_checkers(all, {}, kT0, kWindows, 3, 2);
  ASSERT_EQ(indices(first.tcp), (Idx{0, 1, 2}));
  ASSERT_EQ(indices(first.udp), (Idx{5, 4}));
  EXPECT_EQ(indices(first.udp_backups), (Idx{3}));
  CheckerMemory m;
  for (const Contact& c : first.tcp) {
    m.note_tcp_check(c.ip, kT0 + 2, TcpCheckOutcome::acked);
    m.note_udp_exchange(c.ip, kT0 + 3);
  }
  for (const Contact& c : first.udp) {
    m.note_udp_check(c.ip, kT0 + 4, UdpCheckOutcome::arrived);
    m.note_udp_exchange(c.ip, kT0 + 4);
  }

  const CheckerChoice second = choose_checkers(all, m, kT0 + 10, kWindows, 3, 2);
  EXPECT_EQ(second.udp_fit, 1u);
  EXPECT_EQ(second.tcp_fit, 1u);
  EXPECT_EQ(indices(second.udp), (Idx{3}));
  EXPECT_TRUE(second.tcp.empty());
  EXPECT_TRUE(second.udp_backups.empty());
  EXPECT_EQ(second.checked_recently, 5u);
  EXPECT_EQ(second.udp_flow_recent, 5u);
  EXPECT_EQ(second.tcp_enough_at, kT0 + 302);
  EXPECT_EQ(second.udp_enough_at, std::nullopt);

  // So the TCP verdict is unknown, and says when it can be decided.
  TcpCheckEvidence tcp;
  tcp.checked_recently = second.checked_recently;
  tcp.enough_fit_in_s = *second.tcp_enough_at - (kT0 + 10);
  const VerdictWithReason v = decide_tcp(tcp);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, 292);
  EXPECT_NE(v.reason.find("5 known node(s)"), std::string::npos) << v.reason;

  // Once both windows have passed since run 1, all six are fit again; the
  // one run 1 did not ask is the first UDP checker (the others may know us).
  const CheckerChoice later = choose_checkers(all, m, kT0 + 604, kWindows, 3, 2);
  EXPECT_EQ(later.tcp_fit, 6u);
  EXPECT_EQ(later.udp_fit, 6u);
  EXPECT_EQ(indices(later.udp), (Idx{3, 5}));
  EXPECT_EQ(indices(later.tcp), (Idx{0, 1, 2}));
}
