#!/bin/bash
# Run "$@" once the machine is idle: both cores >= 90% idle over 5 s (other jobs share it).
# Gives up waiting after $MAX_WAIT seconds (default 1800) and runs anyway, saying so on stdout.
MAX_WAIT=${MAX_WAIT:-1800}
start=$(date +%s)
while true; do
  read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ < /proc/stat; sleep 5
  read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ < /proc/stat
  busy=$(( (u2+n2+s2+q2+sq2+st2) - (u1+n1+s1+q1+sq1+st1) )); idle=$(( (i2+w2) - (i1+w1) ))
  pct=$(( 100 * idle / (busy + idle) ))
  if [ "$pct" -ge 90 ]; then echo "# quiet: ${pct}% idle at $(date +%T)"; break; fi
  if [ $(( $(date +%s) - start )) -gt "$MAX_WAIT" ]; then echo "# gave up waiting (${pct}% idle) at $(date +%T)"; break; fi
done
exec "$@"
