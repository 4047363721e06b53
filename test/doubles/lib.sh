# Sourced by every double: records the call and answers injected failures.
: "${GX_DOUBLE_STATE:?GX_DOUBLE_STATE must name the doubles state directory}"
: "${GX_DOUBLE_LOG:?GX_DOUBLE_LOG must name the doubles call log}"
S=$GX_DOUBLE_STATE
TOOL=${0##*/}

# appends one JSON string to LINE (no subshells: every double runs this, and forks are slow)
json() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\n'/\\n}
  LINE+="\"$s\""
}

record() {
  LINE='['
  json "$TOOL"
  for a in "$@"; do LINE+=','; json "$a"; done
  printf '%s]\n' "$LINE" >> "$GX_DOUBLE_LOG"
}

# maybe_fail SUBCOMMAND: fail as told by $S/fail/TOOL.SUBCOMMAND
maybe_fail() {
  local f="$S/fail/$TOOL.$1"
  if [ -f "$f" ]; then
    cat "$f" >&2
    exit "$(cat "$f.rc" 2>/dev/null || echo 1)"
  fi
}

record "$@"
