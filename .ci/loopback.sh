#!/bin/sh
# Runs a command inside a network namespace that has only the loopback interface, so tests that open
# WebRTC connections (Chromium, werift) can only ever reach 127.0.0.1 — no candidate on another
# interface is ever tried. Needs root and unshare/ip (CI runs as root); elsewhere, or with
# PARLEY_NO_NETNS=1, the command runs as it is (the servers still bind 127.0.0.1 only).
if [ "${PARLEY_NO_NETNS:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
  command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
exec "$@"
