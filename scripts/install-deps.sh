#!/usr/bin/env bash
# Installs the Debian packages Fleet needs, only those missing. Safe to run again.
# The test suite brings a real fleet up too (end-to-end), so tests and `fleet up` need the same set.
set -euo pipefail

packages=(nats-server mariadb-server mariadb-client haproxy socat wrk curl ca-certificates
  lxc python3-lxc ansible ansible-lint yamllint iproute2 procps)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: installing packages needs root (run as root, or install: ${missing[*]})" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # On a systemd host this also starts the packages' default services; the fleet and the tests use their own
  # instances on their own addresses and ports, so those stay untouched (and harmless).
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it from your distribution or Microsoft's packages" >&2
  exit 2
fi
