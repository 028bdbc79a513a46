#pragma once
// mulenet's Status as aMule would report it over EC, for the EC server of
// `mulenet run` (the inverse of status_from_amule): amulecmd, amulegui and
// amuleweb then show our High/Low ID, server and Kad state. Where mulenet
// does not know, the answer is aMule's own default: Kad "firewalled" until a
// check showed it open (never a wrong "open").
#include <vector>

#include <mulenet/status.hpp>

#include "ec/amule_state.hpp"
#include "proxy/target.hpp"

namespace mulenet::engine {

[[nodiscard]] ec::AmuleState amule_state_from(const Status& status);

// The servers with an IPv4 address (EC_TAG_SERVER carries one); others are left out.
[[nodiscard]] std::vector<ec::AmuleServer> amule_servers_from(const std::vector<proxy::Target>& servers);

}  // namespace mulenet::engine
