# jqt: the one way our shell tests ask jq whether a JSON answer holds.
# shellcheck shell=bash
#
# jq 1.6's `jq -e FILTER` exits 0 when its input is empty (a command that
# crashed or printed nothing), so a check written as `... | jq -e '.ok'`
# passes exactly when the program under test said nothing at all. jqt fails
# then, and otherwise behaves as `jq -e FILTER >/dev/null`: true when the
# last output of FILTER is neither false nor null.
#
#   jqt [JQ_OPTIONS...] FILTER [FILE]     reads FILE, or stdin without one
jqt() {
  local input last=${!#}
  if [ $# -ge 2 ] && [ -f "$last" ]; then
    input=$(cat -- "$last")
    set -- "${@:1:$#-1}"
  else
    input=$(cat)
  fi
  if [ -z "${input//[[:space:]]/}" ]; then
    echo "jqt: no JSON to test (the command printed nothing)" >&2
    return 1
  fi
  jq -e "$@" >/dev/null <<<"$input"
}
# Checks run in `bash -c "... | jqt ..."` children too.
export -f jqt
