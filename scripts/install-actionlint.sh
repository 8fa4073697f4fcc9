#!/usr/bin/env bash
# Installs actionlint, at the pinned version, into ./.tools/bin, which
# __tests__/unit/workflows.test.ts runs over .github/workflows and .github/examples.
# It is built from source with `go install` (the Go module proxy serves it), so it needs Go
# 1.25 or newer on PATH, or a Go that may fetch a newer toolchain (GOTOOLCHAIN=auto).
# Idempotent: does nothing when that version is already installed.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
exe="$bin_dir/actionlint"
case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) exe="$exe.exe" ;;
esac

installed_version() {
  if [[ -x "$exe" ]]; then
    "$exe" --version 2>/dev/null | sed -n 1p || true
  fi
}

if [[ "$(installed_version)" == "$ACTIONLINT_VERSION" ]]; then
  echo "actionlint $ACTIONLINT_VERSION is already installed in .tools/bin"
  exit 0
fi

go_cmd="$(command -v go || true)"
if [[ -z "$go_cmd" && -x /usr/local/go/bin/go ]]; then
  go_cmd=/usr/local/go/bin/go
fi
if [[ -z "$go_cmd" ]]; then
  echo "install-actionlint: Go is needed to build actionlint and is not on PATH; install Go 1.25 or newer." >&2
  exit 1
fi

mkdir -p "$bin_dir"
gobin="$bin_dir"
if command -v cygpath >/dev/null 2>&1; then
  gobin="$(cygpath -w "$bin_dir")" # Go on Windows needs a Windows path
fi

echo "Installing actionlint $ACTIONLINT_VERSION into .tools/bin with $("$go_cmd" version)"
# GOOS/GOARCH are cleared: go install refuses a cross-compiled binary when GOBIN is set.
env -u GOOS -u GOARCH GOBIN="$gobin" \
  "$go_cmd" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"

version="$(installed_version)"
if [[ "$version" != "$ACTIONLINT_VERSION" ]]; then
  echo "install-actionlint: expected actionlint $ACTIONLINT_VERSION in .tools/bin, found '${version:-nothing}'." >&2
  exit 1
fi
echo "actionlint $version installed: $exe"
