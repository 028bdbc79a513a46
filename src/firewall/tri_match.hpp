#pragma once
// Three-valued matching: for the probe packet a rule's condition is known to
// hold, known not to hold, or depends on something we cannot know (the
// sender's address, a packet mark, an expression we do not understand).
#include <string>
#include <string_view>

namespace mulenet::firewall::detail {

enum class Match { yes, no, maybe };

[[nodiscard]] constexpr Match negate(Match match)
{
  switch (match) {
    case Match::yes: return Match::no;
    case Match::no: return Match::yes;
    case Match::maybe: return Match::maybe;
  }
  return Match::maybe;
}

// "a or b": one certain element of a set is enough.
[[nodiscard]] constexpr Match either(Match a, Match b)
{
  if (a == Match::yes || b == Match::yes) return Match::yes;
  if (a == Match::maybe || b == Match::maybe) return Match::maybe;
  return Match::no;
}

// The condition of a whole rule: all of its parts.
struct MatchResult {
  Match match = Match::yes;
  std::string depends_on;  // the first part that made it a maybe, for the reason

  // One certain mismatch decides, whatever else is unsure.
  void require(Match part, std::string_view part_text)
  {
    if (match == Match::no || part == Match::yes) return;
    if (part == Match::no) {
      match = Match::no;
      return;
    }
    match = Match::maybe;
    if (depends_on.empty()) depends_on = part_text;
  }
};

}  // namespace mulenet::firewall::detail
