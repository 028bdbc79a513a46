// The configured proxy answers and accepts our login (tried for real).
#include <fmt/format.h>

#include "doctor/check.hpp"

namespace mulenet::doctor {

std::vector<Finding> check_proxy_works(const Evidence& ev)
{
  if (!ev.proxy.asked && ev.settings.proxy.enabled)
    return {{"proxy.not-tried", Severity::info, "The proxy was not tried (--no-proxy)",
             "amule.conf enables a proxy; mulenet doctor was told not to contact it", ""}};
  if (!ev.proxy.probed) return {};
  const proxy::ProbeReport& r = ev.proxy.report;
  if (r.first_failure) {
    const proxy::ProbeCheck& f = *r.first_failure;
    const bool ours = f.error.category() == proxy::proxy_category();
    const auto code = ours ? static_cast<proxy::ProxyErrc>(f.error.value()) : proxy::ProxyErrc::proxy_failure;
    return {{fmt::format("proxy.{}", proxy::code_name(code)), Severity::problem,
             fmt::format("The proxy does not work: {}", f.error.message()),
             fmt::format("{} at step '{}': {}", ev.proxy.url, f.name, f.detail),
             fmt::format("{} To try it by hand: mulenet proxy test --target HOST:PORT", proxy::fix_for(code))}};
  }
  std::string steps;
  for (const auto& c : r.tcp) {
    if (c.skipped) continue;
    steps += fmt::format("{}{} {:.1f} ms", steps.empty() ? "" : ", ", c.name,
                         static_cast<double>(c.elapsed.count()) / 1000.0);
  }
  return {{"proxy.works", Severity::ok, "The proxy answers and accepts the login", ev.proxy.url + ": " + steps, ""}};
}

}  // namespace mulenet::doctor
