// The Kad verdicts from what the checkers did (kad/kad_verdicts.hpp): open
// only on evidence that can tell, else firewalled or unknown with a reason.
#include <gtest/gtest.h>

#include <string>

#include "kad/kad_verdicts.hpp"

using namespace mulenet::kad;

namespace {

TcpCheckEvidence tcp(std::size_t asked, std::size_t answered, std::size_t acked)
{
  TcpCheckEvidence e;
  e.asked = asked;
  e.answered = answered;
  e.acked = acked;
  return e;
}

UdpCheckEvidence udp(std::size_t fit, std::size_t delivered, std::size_t arrived, std::size_t declined)
{
  UdpCheckEvidence e;
  e.fit = fit;
  e.chosen = fit;
  e.delivered = delivered;
  e.arrived = arrived;
  e.declined = declined;
  return e;
}

bool mentions(const VerdictWithReason& v, const std::string& text) { return v.reason.find(text) != std::string::npos; }

}  // namespace

TEST(KadVerdicts, NamesForJson)
{
  EXPECT_STREQ(to_string(Verdict::open), "open");
  EXPECT_STREQ(to_string(Verdict::firewalled), "firewalled");
  EXPECT_STREQ(to_string(Verdict::unknown), "unknown");
}

TEST(KadVerdicts, TcpTwoAcksIsOpen)
{
  const VerdictWithReason v = decide_tcp(tcp(3, 3, 2));
  EXPECT_EQ(v.verdict, Verdict::open);
  EXPECT_FALSE(v.reason.empty());
  EXPECT_EQ(v.retry_after_s, std::nullopt);
}

TEST(KadVerdicts, TcpOneAckIsUnknown)
{
  const VerdictWithReason v = decide_tcp(tcp(3, 3, 1));
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "only 1 of the 3 nodes that said they would try")) << v.reason;
  // The others did not even answer: said so, and a new check may decide.
  const VerdictWithReason alone = decide_tcp(tcp(2, 1, 1));
  EXPECT_EQ(alone.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(alone, "the other 1 asked did not answer")) << alone.reason;
  EXPECT_EQ(alone.retry_after_s, 60);
}

TEST(KadVerdicts, TcpNoAckWithTwoAnsweredIsFirewalled)
{
  const VerdictWithReason v = decide_tcp(tcp(3, 2, 0));
  EXPECT_EQ(v.verdict, Verdict::firewalled);
  EXPECT_TRUE(mentions(v, "none got through")) << v.reason;
  EXPECT_EQ(v.retry_after_s, std::nullopt);
}

TEST(KadVerdicts, TcpFewerThanTwoAskedIsUnknownUntilEnoughAreFit)
{
  TcpCheckEvidence e = tcp(1, 1, 0);
  e.enough_fit_in_s = 120;
  e.checked_recently = 4;
  e.recheck_window = std::chrono::seconds{300};
  const VerdictWithReason v = decide_tcp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, 120);
  EXPECT_TRUE(mentions(v, "4 known node(s) checked us within the last 300 s")) << v.reason;
}

TEST(KadVerdicts, TcpFewerThanTwoAskedWithoutRecentChecksNamesNoWindow)
{
  const VerdictWithReason v = decide_tcp(tcp(0, 0, 0));
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, std::nullopt);
  EXPECT_TRUE(mentions(v, "only 0 Kad node(s)")) << v.reason;
  EXPECT_FALSE(mentions(v, "within")) << v.reason;
}

TEST(KadVerdicts, RetryIsAtLeastOneSecond)
{
  TcpCheckEvidence t = tcp(0, 0, 0);
  t.enough_fit_in_s = 0;
  EXPECT_EQ(decide_tcp(t).retry_after_s, 1);
  t.enough_fit_in_s = -30;
  EXPECT_EQ(decide_tcp(t).retry_after_s, 1);
  UdpCheckEvidence u = udp(0, 0, 0, 0);
  u.enough_fit_in_s = 0;
  EXPECT_EQ(decide_udp(u).retry_after_s, 1);
}

TEST(KadVerdicts, TcpAskedButTooFewAnsweredRetriesInAMinute)
{
  const VerdictWithReason v = decide_tcp(tcp(3, 1, 0));
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, 60);
  EXPECT_TRUE(mentions(v, "only 1 of the 3")) << v.reason;
}

TEST(KadVerdicts, TcpPortLostIsUnknown)
{
  TcpCheckEvidence e = tcp(3, 3, 0);
  e.port_lost = true;
  const VerdictWithReason v = decide_tcp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "went away")) << v.reason;
  e.acked = 1;
  EXPECT_EQ(decide_tcp(e).verdict, Verdict::unknown);
}

TEST(KadVerdicts, UdpArrivedIsOpen)
{
  UdpCheckEvidence e = udp(2, 2, 1, 0);
  e.flow_window = std::chrono::seconds{30};
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::open);
  EXPECT_TRUE(mentions(v, "30 s")) << v.reason;
  EXPECT_EQ(v.retry_after_s, std::nullopt);
}

TEST(KadVerdicts, UdpDeclinedIsUnknownNeverFirewalled)
{
  const VerdictWithReason all_declined = decide_udp(udp(2, 2, 0, 2));
  EXPECT_EQ(all_declined.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(all_declined, "already knew our address")) << all_declined.reason;
  EXPECT_EQ(all_declined.retry_after_s, std::nullopt);  // the same nodes would decline again
  const VerdictWithReason one_declined = decide_udp(udp(3, 3, 0, 1));
  EXPECT_EQ(one_declined.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(one_declined, "2 other(s) stayed silent")) << one_declined.reason;
}

TEST(KadVerdicts, UdpDeliveredAndSilentIsFirewalled)
{
  const VerdictWithReason v = decide_udp(udp(3, 2, 0, 0));
  EXPECT_EQ(v.verdict, Verdict::firewalled);
  EXPECT_TRUE(mentions(v, "2 Kad node(s)")) << v.reason;
  EXPECT_EQ(v.retry_after_s, std::nullopt);
}

// aMule calls UDP firewalled after 2 tests without an answer, not 1: in the
// lab one amuled now and then sends no test datagram at all.
TEST(KadVerdicts, UdpOneSilentNodeIsUnknownNotFirewalled)
{
  const VerdictWithReason v = decide_udp(udp(3, 1, 0, 0));
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "only 1 Kad node took the UDP test")) << v.reason;
  EXPECT_TRUE(mentions(v, "2 must stay silent")) << v.reason;
  EXPECT_EQ(v.retry_after_s, std::optional<std::int64_t>{60});
}

TEST(KadVerdicts, UdpNoFitNodeIsUnknownNamingTheFlowWindow)
{
  UdpCheckEvidence e = udp(0, 0, 0, 0);
  e.flow_recent = 5;
  e.flow_window = std::chrono::seconds{600};
  e.checked_recently = 2;
  e.recheck_window = std::chrono::seconds{300};
  e.enough_fit_in_s = 590;
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, 590);
  EXPECT_TRUE(mentions(v, "5 known node(s) exchanged UDP with our Kad port within the last 600 s")) << v.reason;
  EXPECT_TRUE(mentions(v, "2 known node(s) checked us within the last 300 s")) << v.reason;
}

TEST(KadVerdicts, UdpFitButNoneTookTheRequestRetriesInAMinute)
{
  const VerdictWithReason v = decide_udp(udp(3, 0, 0, 0));
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_EQ(v.retry_after_s, 60);
}

TEST(KadVerdicts, UdpPortLostIsUnknown)
{
  UdpCheckEvidence e = udp(2, 2, 0, 0);
  e.port_lost = true;
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "went away")) << v.reason;
}

// Over all small counts: "open" only with 2 ACKs / 1 arrival, "firewalled"
// only when nothing got through from enough nodes and the port stayed, a
// reason always, a retry only for "unknown" and never below 1 s.
TEST(KadVerdicts, TcpNeverOpenWithoutTwoAcks)
{
  for (std::size_t asked = 0; asked <= 4; ++asked)
    for (std::size_t answered = 0; answered <= asked; ++answered)
      for (std::size_t acked = 0; acked <= answered; ++acked)
        for (std::size_t recent = 0; recent <= 2; ++recent)
          for (const bool lost : {false, true})
            for (const std::optional<std::int64_t> in : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{0},
                                                         std::optional<std::int64_t>{45}}) {
              TcpCheckEvidence e = tcp(asked, answered, acked);
              e.checked_recently = recent;
              e.port_lost = lost;
              e.enough_fit_in_s = in;
              const VerdictWithReason v = decide_tcp(e);
              const std::string what = "asked " + std::to_string(asked) + " answered " + std::to_string(answered) +
                                       " acked " + std::to_string(acked) + " lost " + std::to_string(lost);
              EXPECT_EQ(v.verdict == Verdict::open, acked >= 2) << what;
              EXPECT_TRUE(v.verdict != Verdict::firewalled || (acked == 0 && answered >= 2 && !lost)) << what;
              EXPECT_FALSE(v.reason.empty()) << what;
              if (v.retry_after_s) {
                EXPECT_EQ(v.verdict, Verdict::unknown) << what;
                EXPECT_GE(*v.retry_after_s, 1) << what;
              }
            }
}

TEST(KadVerdicts, UdpNeverOpenWithoutAnArrival)
{
  for (std::size_t fit = 0; fit <= 3; ++fit)
    for (std::size_t delivered = 0; delivered <= fit; ++delivered)
      for (std::size_t arrived = 0; arrived <= delivered; ++arrived)
        for (std::size_t declined = 0; arrived + declined <= delivered; ++declined)
          for (std::size_t flow_recent = 0; flow_recent <= 1; ++flow_recent)
            for (const bool lost : {false, true}) {
              UdpCheckEvidence e = udp(fit, delivered, arrived, declined);
              e.flow_recent = flow_recent;
              e.port_lost = lost;
              e.enough_fit_in_s = 30;
              const VerdictWithReason v = decide_udp(e);
              const std::string what = "fit " + std::to_string(fit) + " delivered " + std::to_string(delivered) +
                                       " arrived " + std::to_string(arrived) + " declined " +
                                       std::to_string(declined) + " lost " + std::to_string(lost);
              EXPECT_EQ(v.verdict == Verdict::open, arrived >= 1) << what;
              EXPECT_TRUE(v.verdict != Verdict::firewalled || (declined == 0 && delivered >= 2 && !lost)) << what;
              EXPECT_FALSE(v.reason.empty()) << what;
              if (v.retry_after_s) {
                EXPECT_EQ(v.verdict, Verdict::unknown) << what;
                EXPECT_GE(*v.retry_after_s, 1) << what;
              }
            }
}

// The TCP test took every node fit for the UDP test: said so, not "none took the request".
TEST(KadVerdicts, UdpFitNodesTakenByTheTcpTestAreSaidSo)
{
  UdpCheckEvidence e;
  e.fit = 2;
  e.chosen = 0;
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_NE(v.reason.find("needed for the TCP test"), std::string::npos);
}

// Another program holds our TCP port: the ACKs went to it, so "no ACK" tells nothing.
TEST(KadVerdicts, TcpWithoutOurListenerIsUnknownNotFirewalled)
{
  TcpCheckEvidence e = tcp(3, 3, 0);
  e.listening = false;
  const VerdictWithReason v = decide_tcp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "another program holds our TCP port")) << v.reason;
  e.acked = 2;  // two got through to whatever holds it: the port is reachable
  EXPECT_EQ(decide_tcp(e).verdict, Verdict::open);
}

// The request went through an HTTP or SOCKS4 proxy: the test datagram goes to
// the proxy's address. Silence there is no evidence.
TEST(KadVerdicts, UdpRequestThroughTheProxyIsUnknownNotFirewalled)
{
  UdpCheckEvidence e = udp(2, 0, 0, 0);
  e.request_via_proxy = true;
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "proxy's address")) << v.reason;
}

// We sent to the checker on our own during the check: its datagram may have
// come in through that flow. Neither open nor firewalled.
TEST(KadVerdicts, UdpSpoiledByOurOwnSendIsUnknown)
{
  UdpCheckEvidence e = udp(1, 1, 0, 0);
  e.spoiled = true;
  const VerdictWithReason v = decide_udp(e);
  EXPECT_EQ(v.verdict, Verdict::unknown);
  EXPECT_TRUE(mentions(v, "on its own")) << v.reason;
}
