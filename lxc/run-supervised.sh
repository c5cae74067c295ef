#!/bin/sh
# The init of every fleet container: runs its one program, restarts it when it exits (a crash must not
# leave a dead container behind), forwards SIGTERM for a graceful stop, and appends stdout/stderr to
# /data/app.log on the host side. Backoff doubles from 1 s to 30 s while the program keeps failing fast.
set -u
log=/data/app.log
child=0
stopping=0
trap 'stopping=1; [ "$child" -ne 0 ] && kill -TERM "$child" 2>/dev/null' TERM INT
delay=1
while :; do
  started=$(date +%s)
  echo "$(date -u +%FT%TZ) run-supervised: starting $*" >>"$log"
  "$@" >>"$log" 2>&1 &
  child=$!
  wait "$child"; code=$?
  # A trapped signal interrupts wait; wait again for the child's real exit.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  child=0
  echo "$(date -u +%FT%TZ) run-supervised: exited with code $code" >>"$log"
  [ "$stopping" -eq 1 ] && exit 0
  if [ $(( $(date +%s) - started )) -ge 30 ]; then delay=1; fi
  # Sleep in the background so a SIGTERM during the backoff is handled at once.
  sleep "$delay" & wait $!
  [ "$stopping" -eq 1 ] && exit 0
  delay=$(( delay * 2 )); [ "$delay" -gt 30 ] && delay=30
done
