#!/usr/bin/env bash
# The layering of docs/ARCHITECTURE.md, kept by a check (run by ctest as
# build.layering): a module includes only modules at its own level or below,
#   net, config -> proxy, firewall -> portmap, ed2k -> kad -> doctor -> engine, web -> apps
# and the public headers (include/mulenet/, level of the engine) include only
# each other and the standard library: nothing of Asio, Beast, fmt or src/.
# Exit 0 when kept, 1 with one line per broken rule.
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

declare -A level=([net]=0 [config]=0 [proxy]=1 [firewall]=1 [portmap]=2 [ed2k]=2 [kad]=3 [doctor]=4
                  [engine]=5 [web]=5 [mulenet]=5 [apps]=6)
broken=0
say() { echo "layering: $*"; broken=1; }

# Every `#include "module/..."` and `#include <mulenet/...>` of src/ and apps/.
while IFS= read -r line; do
  file=${line%%:*}
  rest=${line#*:}
  target=$(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([a-z0-9_]+)\/.*/\1/p' <<<"$rest")
  [ -n "$target" ] || continue
  case "$file" in
    apps/*) from=apps ;;
    src/*) from=$(cut -d/ -f2 <<<"$file") ;;
    *) continue ;;
  esac
  [ -n "${level[$target]+x}" ] || continue  # a third-party header (boost/, fmt/, ...)
  if [ -z "${level[$from]+x}" ]; then
    say "$file: module '$from' has no level: add it to scripts/check-layering.sh and docs/ARCHITECTURE.md"
    continue
  fi
  if [ "${level[$target]}" -gt "${level[$from]}" ]; then
    say "$file includes $target/, a module above $from (${rest## })"
  fi
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][a-z0-9_]+/' src apps 2>/dev/null | sed -E 's/:[0-9]+:/:/')

# The public headers: only <mulenet/...> and standard headers (no slash, no .h).
while IFS= read -r line; do
  file=${line%%:*}
  header=$(sed -nE 's/.*#[[:space:]]*include[[:space:]]*(["<][^">]*[">]).*/\1/p' <<<"$line")
  case "$header" in
    \<mulenet/*\>) ;;
    \<*/*\> | \<*.h\> | \"*\") say "$file includes $header: public headers include only <mulenet/...> and the standard library" ;;
    \<*\>) ;;
    *) say "$file: unreadable include: $line" ;;
  esac
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include' include/mulenet 2>/dev/null | sed -E 's/:[0-9]+:/:/')

[ "$broken" -eq 0 ] && echo "layering kept: $(find src apps include -name '*.[ch]pp' 2>/dev/null | wc -l) files checked"
exit "$broken"
