#!/bin/sh
# Installs the sn11 binary for this machine from a release directory, verified against its SHA256SUMS
# before anything is run:
#   curl -fsSL <release>/install.sh | sh                 (~/.local/bin; /usr/local/bin as root)
#   curl -fsSL <release>/install.sh | sh -s -- --prefix /opt/sn11      (installs /opt/sn11/bin/sn11)
# SN11_RELEASE_URL points it at another release directory (a mirror).
set -eu

RELEASE_URL="${SN11_RELEASE_URL:-__SN11_RELEASE_URL__}"
PREFIX=""

say() { printf 'sn11 install: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
  --prefix)
    [ $# -ge 2 ] || die "--prefix needs a directory"
    PREFIX="$2"
    shift 2
    ;;
  --prefix=*)
    PREFIX="${1#--prefix=}"
    shift
    ;;
  -h | --help)
    sed -n '2,6p' "$0" 2>/dev/null || true
    exit 0
    ;;
  *) die "unknown option $1 (--prefix DIR)" ;;
  esac
done

case "$RELEASE_URL" in
"" | __SN11_RELEASE_URL__) die "no release URL: set SN11_RELEASE_URL to the release directory" ;;
esac
RELEASE_URL="${RELEASE_URL%/}"

os=$(uname -s)
[ "$os" = Linux ] || die "sn11 ships for Linux only (this is $os)"
case "$(uname -m)" in
x86_64 | amd64) arch=x64 ;;
aarch64 | arm64) arch=arm64 ;;
*) die "unsupported architecture $(uname -m): sn11 ships for linux x64 and arm64" ;;
esac
asset="sn11-linux-$arch"

if [ -n "$PREFIX" ]; then
  bindir="$PREFIX/bin"
elif [ "$(id -u)" = 0 ]; then
  bindir=/usr/local/bin
else
  bindir="${HOME:?HOME is not set}/.local/bin"
fi

fetch() { # url file: retried, resumed where the tool can
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 5 --retry-all-errors --retry-delay 1 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=5 --waitretry=1 -c -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "no sha256sum or shasum to verify the download with"
  fi
}

expected() { # name: its line in SHA256SUMS
  sum=$(awk -v f="$1" '$2 == f { print $1 }' "$tmp/SHA256SUMS")
  [ -n "$sum" ] || die "SHA256SUMS at $RELEASE_URL lists no $1"
  printf '%s' "$sum"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading $asset from $RELEASE_URL"
fetch "$RELEASE_URL/SHA256SUMS" "$tmp/SHA256SUMS" || die "cannot download $RELEASE_URL/SHA256SUMS"
fetch "$RELEASE_URL/$asset.gz" "$tmp/$asset.gz" || die "cannot download $RELEASE_URL/$asset.gz"
[ "$(sha256 "$tmp/$asset.gz")" = "$(expected "$asset.gz")" ] ||
  die "$asset.gz does not match SHA256SUMS: refusing to install it (nothing was changed)"
gzip -dc "$tmp/$asset.gz" >"$tmp/$asset" || die "$asset.gz does not unpack"
[ "$(sha256 "$tmp/$asset")" = "$(expected "$asset")" ] ||
  die "the unpacked $asset does not match SHA256SUMS: refusing to install it (nothing was changed)"
chmod 755 "$tmp/$asset"

mkdir -p "$bindir" || die "cannot create $bindir (--prefix DIR picks another place)"
# Into the target directory first, then renamed: a running sn11 keeps its old file, nobody sees half of one.
cp "$tmp/$asset" "$bindir/.sn11.tmp.$$" || die "cannot write to $bindir"
mv -f "$bindir/.sn11.tmp.$$" "$bindir/sn11"
if [ "$(id -u)" = 0 ]; then
  say "installed $bindir/sn11" # not run as root: it did not have to be
else
  say "installed $bindir/sn11 ($("$bindir/sn11" --version | head -n 1))"
fi

case ":$PATH:" in
*":$bindir:"*) say "$bindir is on your PATH: run sn11 doctor" ;;
*) say "$bindir is not on your PATH: add it (export PATH=\"$bindir:\$PATH\"), then run sn11 doctor" ;;
esac
