// proxy_connect_bench: how long mulenet::proxy::Dialer takes to open a TCP
// connection through a proxy, and in how many round trips with the proxy.
//
//   proxy_connect_bench --proxy URL --target HOST:PORT [-n 200] [--warmup 5]
//                       [--timeout MS] [--json] [--samples]
//
// Each of the N connects (one after the other, in one process, on one
// io_context) is timed from the call of Dialer::connect until it returns the
// tunnelled socket, i.e. resolve the proxy + TCP connect to it + the whole
// proxy handshake; the socket is then closed (not timed). The dialer records
// its steps, which give the split: "resolve proxy", "connect to proxy" (one TCP
// round trip), and the handshake, in which every other step except the local
// "resolve target" of SOCKS4 sends one message to the proxy and reads its one
// reply ("auth method", "auth", "connect to target"): so the number of those
// steps is the number of handshake round trips. bench/run.sh checks that number
// against a packet capture.
//
// The WARMUP connects before them are not counted. Output: a summary (median,
// p90, ...) as text, or as JSON with --json; --samples adds every connect's
// numbers. Exit code 0 when every connect worked, 1 when one failed, 64 on bad
// arguments. No timing is judged here: it is a measurement, not a test.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "proxy/dialer.hpp"
#include "proxy/proxy_error.hpp"
#include "proxy/proxy_spec.hpp"
#include "proxy/target.hpp"

namespace {

namespace asio = boost::asio;
namespace proxy = mulenet::proxy;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string proxy_url;
  std::string target;
  int count = 200;
  int warmup = 5;
  int timeout_ms = 5000;
  bool json = false;
  bool samples = false;
};

struct Sample {
  bool ok = false;
  double total_us = 0;      // Dialer::connect, call to return
  double resolve_us = 0;    // "resolve proxy"
  double tcp_us = 0;        // "connect to proxy"
  double handshake_us = 0;  // every step after "connect to proxy"
  int round_trips = 0;      // request/reply exchanges with the proxy in the handshake
  std::string error;
};

[[noreturn]] void usage(std::string_view problem)
{
  if (!problem.empty()) std::cerr << "proxy_connect_bench: " << problem << "\n";
  std::cerr << "usage: proxy_connect_bench --proxy URL --target HOST:PORT [-n N] [--warmup N] [--timeout MS]\n"
               "                           [--json] [--samples]\n"
               "  URL: socks5://[user:pass@]host:port, socks4://..., socks4a://..., http://[user:pass@]host:port\n";
  std::exit(64);
}

int to_int(std::string_view flag, const std::string& text, int lo, int hi)
{
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < lo || v > hi) usage(fmt::format("{} takes a number {}..{}", flag, lo, hi));
  return static_cast<int>(v);
}

Options parse_args(int argc, char** argv)
{
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(fmt::format("{} needs a value", a));
      return argv[++i];
    };
    if (a == "--proxy") o.proxy_url = value();
    else if (a == "--target") o.target = value();
    else if (a == "-n" || a == "--count") o.count = to_int(a, value(), 1, 1'000'000);
    else if (a == "--warmup") o.warmup = to_int(a, value(), 0, 1'000'000);
    else if (a == "--timeout") o.timeout_ms = to_int(a, value(), 100, 120'000);
    else if (a == "--json") o.json = true;
    else if (a == "--samples") o.samples = true;
    else if (a == "-h" || a == "--help") usage("");
    else usage(fmt::format("unknown argument '{}'", a));
  }
  if (o.proxy_url.empty() || o.target.empty()) usage("--proxy and --target are required");
  return o;
}

double us(std::chrono::microseconds d) { return static_cast<double>(d.count()); }

Sample to_sample(const proxy::DialResult& r, Clock::duration total)
{
  Sample s;
  s.ok = r.ok();
  s.total_us = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(total).count()) / 1000.0;
  bool after_connect = false;
  for (const auto& step : r.steps) {
    if (step.name == "resolve proxy") {
      s.resolve_us += us(step.elapsed);
    } else if (step.name == "connect to proxy") {
      s.tcp_us += us(step.elapsed);
      after_connect = true;
    } else if (after_connect) {
      s.handshake_us += us(step.elapsed);
      if (step.name != "resolve target") ++s.round_trips;  // SOCKS4 resolves names here, without the proxy
    }
  }
  if (!s.ok) {
    s.error = r.error.message();
    if (!r.detail.empty()) s.error += ": " + r.detail;
  }
  return s;
}

// Linear interpolation between the closest ranks (as numpy's default), the same
// as bench/run.sh uses for curl's numbers.
double quantile(std::vector<double> v, double q)
{
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

boost::json::object stats(const std::vector<double>& v)
{
  if (v.empty()) return {{"n", 0}};
  double sum = 0;
  for (double x : v) sum += x;
  return {{"n", v.size()},
          {"median", quantile(v, 0.5)},
          {"p90", quantile(v, 0.9)},
          {"mean", sum / static_cast<double>(v.size())},
          {"min", *std::min_element(v.begin(), v.end())},
          {"max", *std::max_element(v.begin(), v.end())}};
}

asio::awaitable<void> run(const Options& o, const proxy::ProxySpec& spec, const proxy::Target& target,
                          std::vector<Sample>& out)
{
  const proxy::DialTimeouts timeouts{std::chrono::milliseconds(o.timeout_ms), std::chrono::milliseconds(o.timeout_ms)};
  proxy::Dialer dialer(co_await asio::this_coro::executor, spec, /*strict=*/false, timeouts);
  for (int i = 0; i < o.warmup + o.count; ++i) {
    const auto t0 = Clock::now();
    proxy::DialResult r = co_await dialer.connect(target, proxy::TrafficKind::client_tcp);
    const auto elapsed = Clock::now() - t0;
    if (r.socket) {
      boost::system::error_code ignored;
      r.socket->close(ignored);
    }
    if (i >= o.warmup) out.push_back(to_sample(r, elapsed));
  }
}

}  // namespace

int main(int argc, char** argv)
{
  const Options o = parse_args(argc, argv);
  std::string error;
  const auto spec = proxy::parse_proxy_url(o.proxy_url, error);
  if (!spec) usage("bad proxy URL: " + error);
  const auto target = proxy::parse_target(o.target);
  if (!target) usage("--target must be HOST:PORT");

  std::vector<Sample> samples;
  samples.reserve(static_cast<std::size_t>(o.count));
  asio::io_context io;
  asio::co_spawn(io, run(o, *spec, *target, samples), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();

  std::vector<double> total, resolve, tcp, handshake;
  std::map<int, int> round_trips;  // value -> how many connects had it
  std::map<std::string, int> errors;
  for (const auto& s : samples) {
    if (!s.ok) {
      ++errors[s.error];
      continue;
    }
    total.push_back(s.total_us);
    resolve.push_back(s.resolve_us);
    tcp.push_back(s.tcp_us);
    handshake.push_back(s.handshake_us);
    ++round_trips[s.round_trips];
  }
  const int failed = static_cast<int>(samples.size() - total.size());
  // The usual count; all connects should agree (run.sh shows the histogram).
  int rtt_mode = -1, rtt_mode_n = 0;
  for (auto [k, n] : round_trips)
    if (n > rtt_mode_n) rtt_mode = k, rtt_mode_n = n;

  if (o.json) {
    boost::json::object rtt_hist, err;
    for (auto [k, n] : round_trips) rtt_hist[std::to_string(k)] = n;
    for (const auto& [k, n] : errors) err[k] = n;
    boost::json::object doc{{"tool", "mulenet-dialer"},
                            {"proxy", spec->redacted_url()},
                            {"target", target->str()},
                            {"count", o.count},
                            {"warmup", o.warmup},
                            {"ok", total.size()},
                            {"failed", failed},
                            {"errors", err},
                            {"unit", "us"},
                            {"total_us", stats(total)},
                            {"resolve_proxy_us", stats(resolve)},
                            {"tcp_connect_us", stats(tcp)},
                            {"handshake_us", stats(handshake)},
                            {"handshake_round_trips", rtt_mode},
                            {"handshake_round_trips_histogram", rtt_hist}};
    if (o.samples) {
      boost::json::array arr;
      for (const auto& s : samples) {
        boost::json::object one{{"ok", s.ok},
                                {"total_us", s.total_us},
                                {"resolve_proxy_us", s.resolve_us},
                                {"tcp_connect_us", s.tcp_us},
                                {"handshake_us", s.handshake_us},
                                {"round_trips", s.round_trips}};
        if (!s.ok) one["error"] = s.error;
        arr.push_back(std::move(one));
      }
      doc["samples"] = std::move(arr);
    }
    std::cout << boost::json::serialize(doc) << "\n";
  } else {
    std::cout << fmt::format("{} -> {}: {} connects ({} failed), warmup {}\n", spec->redacted_url(), target->str(),
                             o.count, failed, o.warmup);
    auto line = [](const char* name, const std::vector<double>& v) {
      if (v.empty()) return;
      std::cout << fmt::format("  {:<16} median {:>9.1f} us   p90 {:>9.1f} us   min {:>9.1f} us\n", name,
                               quantile(v, 0.5), quantile(v, 0.9), *std::min_element(v.begin(), v.end()));
    };
    line("connect (total)", total);
    line("resolve proxy", resolve);
    line("TCP to proxy", tcp);
    line("handshake", handshake);
    std::cout << fmt::format("  handshake round trips with the proxy: {} (plus 1 for TCP's SYN/SYN-ACK)\n", rtt_mode);
    for (const auto& [k, n] : errors) std::cout << fmt::format("  error x{}: {}\n", n, k);
  }
  return failed == 0 ? 0 : 1;
}
