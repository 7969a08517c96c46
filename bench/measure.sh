# Shared by the whole-program benchmark scripts (source it): `measure LABEL COMMAND...` runs the
# command under /usr/bin/time -v, prints the label, wall seconds, CPU seconds (user + system: on a
# machine whose other load comes and goes, steadier than the wall time) and peak RSS, and the lines of
# the command's output that start with "anatomy build:", "  seconds:" or "timings" (the
# extraction tool's phases), and sets LAST_SECONDS and LAST_CPU.
seconds_of() {  # h:mm:ss or m:ss.ss -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' <<<"$1"
}
measure() {
  local log; log="$(mktemp)"
  /usr/bin/time -v "${@:2}" >"$log.out" 2>"$log" || { tail -20 "$log"; rm -f "$log" "$log.out"; return 1; }
  local wall rss cpu
  wall="$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')"
  rss="$(grep 'Maximum resident' "$log" | awk '{print $NF}')"
  cpu="$(grep -E '(User|System) time \(seconds\)' "$log" | awk '{ s += $NF } END { print s }')"
  LAST_SECONDS="$(seconds_of "$wall")"
  LAST_CPU="$cpu"
  printf '%-44s %8.2f s   CPU %7.2f s   peak RSS %6d MB\n' "$1" "$LAST_SECONDS" "$cpu" "$((rss / 1024))"
  grep -hE "^anatomy build: |^  seconds:|^timings" "$log.out" "$log" | sed 's/^/    /' || true
  rm -f "$log" "$log.out"
}
