// The status server's guard, rule by rule: DNS rebinding (a foreign Host),
// cross-origin pages, GETs that would change state, the token of actions,
// and aMule's web password off loopback.
#include <gtest/gtest.h>

#include "web/request_guard.hpp"

namespace mulenet::web {
namespace {

GuardConfig local()
{
  GuardConfig c;
  c.address = "127.0.0.1";
  c.port = 4715;
  c.token = "0123456789abcdef0123456789abcdef";
  return c;
}

RequestView get(std::string_view target, std::string_view host = "127.0.0.1:4715")
{
  RequestView r;
  r.method = "GET";
  r.target = target;
  r.host = host;
  return r;
}

TEST(RequestGuard, TheDaemonsOwnHostsAreServed)
{
  for (const char* host : {"127.0.0.1:4715", "localhost:4715", "LOCALHOST:4715", "[::1]:4715"}) {
    const Decision d = decide(get("/api/status", host), local());
    EXPECT_TRUE(d.allowed) << host << ": " << d.reason;
    EXPECT_EQ(d.route, Route::status);
  }
  EXPECT_EQ(decide(get("/"), local()).route, Route::page);
  EXPECT_EQ(decide(get("/api/events"), local()).route, Route::events);
  EXPECT_EQ(decide(get("/api/status?x=1"), local()).route, Route::status);
}

TEST(RequestGuard, AForeignHostIsRefusedAgainstDnsRebinding)
{
  for (const char* host : {"evil.example:4715", "127.0.0.1.evil.example:4715", "127.0.0.1:80", "127.0.0.1", "",
                           "localhost:47150"}) {
    const Decision d = decide(get("/api/status", host), local());
    EXPECT_FALSE(d.allowed) << host;
    EXPECT_EQ(d.status, 403) << host;
  }
  RequestView no_host = get("/api/status");
  no_host.host.reset();
  EXPECT_EQ(decide(no_host, local()).status, 400);
}

TEST(RequestGuard, ACrossOriginRequestIsRefused)
{
  RequestView r = get("/api/status");
  r.origin = "http://evil.example";
  EXPECT_EQ(decide(r, local()).status, 403);
  r.origin = "null";
  EXPECT_EQ(decide(r, local()).status, 403);
  r.origin = "http://127.0.0.1:4715";  // the page itself
  EXPECT_TRUE(decide(r, local()).allowed);
}

TEST(RequestGuard, AGetNeverChangesState)
{
  const Decision d = decide(get("/api/check-kad"), local());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.status, 405);
}

TEST(RequestGuard, AnActionNeedsPostAndThePagesToken)
{
  RequestView r = get("/api/check-kad");
  r.method = "POST";
  EXPECT_EQ(decide(r, local()).status, 403);  // no token
  r.token = "ffffffffffffffffffffffffffffffff";
  EXPECT_EQ(decide(r, local()).status, 403);  // a wrong one
  const GuardConfig config = local();  // kept: r.token views its token
  r.token = config.token;
  const Decision d = decide(r, config);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.route, Route::check_kad);
  GuardConfig no_token = local();
  no_token.token.clear();
  r.token = "";
  EXPECT_FALSE(decide(r, no_token).allowed);  // an empty token never matches
}

TEST(RequestGuard, OtherMethodsAndPagesAreRefused)
{
  RequestView r = get("/api/status");
  r.method = "DELETE";
  EXPECT_EQ(decide(r, local()).status, 405);
  EXPECT_EQ(decide(get("/etc/passwd"), local()).status, 404);
  EXPECT_EQ(decide(get("/../api/status"), local()).status, 404);
}

TEST(RequestGuard, OffLoopbackTheWebPasswordIsAsked)
{
  GuardConfig c = local();
  c.address = "192.168.1.5";
  c.password_md5 = "5f4dcc3b5aa765d61d8327deb882cf99";  // MD5("password"), as amule.conf keeps it
  RequestView r = get("/api/status", "192.168.1.5:4715");
  EXPECT_EQ(decide(r, c).status, 401);
  r.authorization = "Basic YWRtaW46d3Jvbmc=";  // admin:wrong
  EXPECT_EQ(decide(r, c).status, 401);
  r.authorization = "Basic YWRtaW46cGFzc3dvcmQ=";  // admin:password
  EXPECT_TRUE(decide(r, c).allowed);
  r.authorization = "Basic !!!!";
  EXPECT_EQ(decide(r, c).status, 401);
  r.authorization = "Bearer YWRtaW46cGFzc3dvcmQ=";
  EXPECT_EQ(decide(r, c).status, 401);
}

TEST(RequestGuard, RefusalsNeverEchoMuchOfWhatWasSent)
{
  const std::string long_host(5000, 'a');
  const Decision d = decide(get("/", long_host), local());
  EXPECT_LT(d.reason.size(), 300u);
}

TEST(RequestGuard, LoopbackAddresses)
{
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("localhost"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("192.168.1.5"));
}

}  // namespace
}  // namespace mulenet::web
