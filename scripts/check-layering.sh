#!/usr/bin/env bash
# The layering of docs/ARCHITECTURE.md, kept by a check (run by ctest as
# build.layering): a module includes only modules at its own level or below,
#   net, config -> proxy, firewall -> portmap, ed2k, ec -> kad -> doctor -> engine, web -> apps
# and the public headers (include/mulenet/, level of the engine) include only
# each other and the standard library: nothing of Asio, Beast, fmt or src/.
# Exit 0 when kept, 1 with one line per broken rule.
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

declare -A level=([net]=0 [config]=0 [proxy]=1 [firewall]=1 [portmap]=2 [ed2k]=2 [ec]=2 [kad]=3 [doctor]=4
                  [engine]=5 [web]=5 [mulenet]=5 [apps]=6)
broken=0
say() { echo "layering: $*"; broken=1; }

# Every `#include "module/..."` and `#include <mulenet/...>` of src/ and apps/,
# judged in one awk pass (one process, not several per line: the check stays
# fast on a loaded machine).
levels=""
for m in "${!level[@]}"; do levels+="$m=${level[$m]} "; done
while IFS= read -r problem; do
  say "$problem"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][a-z0-9_]+/' src apps 2>/dev/null |
  awk -v levels="$levels" '
    BEGIN { n = split(levels, pairs, " "); for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); level[kv[1]] = kv[2] } }
    {
      file = $0; sub(/:.*/, "", file)
      rest = $0; sub(/^[^:]*:[0-9]+:/, "", rest)
      target = rest; sub(/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]/, "", target); sub(/\/.*/, "", target)
      if (!(target in level)) next
      if (file ~ /^apps\//) from = "apps"; else { split(file, parts, "/"); from = parts[2] }
      if (!(from in level)) { print file ": module '\''" from "'\'' has no level: add it to scripts/check-layering.sh and docs/ARCHITECTURE.md"; next }
      if (level[target] > level[from]) { r = rest; sub(/^[[:space:]]+/, "", r); print file " includes " target "/, a module above " from " (" r ")" }
    }')

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
