#!/usr/bin/env bash
# Installs what the tests run for real on a Debian bookworm machine: Go 1.19 (repacked by
# the tests as the Go archive the action downloads), Go 1.22 from bookworm-backports (a fork's
# newer go.mod), upx 4.2 from bookworm-backports, git, zip tools, a JDK, kubectl, openssl,
# ShellCheck; then actionlint from the Go module proxy. Safe to run again.
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # the backports suite from the mirror the machine already uses
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+' | grep -v security | head -n 1 || true)
  if [ -z "$mirror" ]; then
    echo "No Debian mirror found in /etc/apt: add the bookworm-backports suite by hand." >&2
    exit 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" |
    sudo_if_needed tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
fi

need=()
[ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
[ -x /usr/lib/go-1.22/bin/go ] || need+=(golang-1.22-go/bookworm-backports)
command -v upx-ucl >/dev/null || need+=(upx-ucl/bookworm-backports)
# javac: the archive tests run a single-file Java program (ZipInputStream, a streaming zip reader).
# kubectl, openssl, shellcheck: scripts/make-kubeconfig.sh is run with the real kubectl against a
# stand-in API server with a self-signed certificate, and checked with ShellCheck; ShellCheck also
# lints the install.sh every release carries.
for tool in git zip unzip xz:xz-utils javac:openjdk-17-jdk-headless kubectl:kubernetes-client openssl:openssl shellcheck:shellcheck; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
upx-ucl --version | head -n 1
/usr/lib/go-1.19/bin/go version
/usr/lib/go-1.22/bin/go version

if [ -f scripts/install-actionlint.sh ]; then bash scripts/install-actionlint.sh; fi
