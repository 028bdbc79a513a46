#include "doctor/amule_holds.hpp"

namespace mulenet::doctor {

bool is_amule(const net::PortHolder& holder)
{
  return holder.command == "amuled" || holder.command == "amule" || holder.command == "mulenet" ||
         holder.command == "amuleweb";
}

bool held_by_amule(const PortEvidence& port)
{
  if (port.bind.status != net::BindStatus::in_use) return false;
  return !port.holder || port.holder->pid <= 0 || is_amule(*port.holder);
}

}  // namespace mulenet::doctor
