#!/usr/bin/env bash
# Fetches a near-duplicate corpus's Debian packages (apt-get download + dpkg-deb -x, raster images only) and builds it
# (bench/near-duplicate-corpus.ts). Packages and quotas: bench/corpus-packages.ts. Images are never committed.
#
#   bash bench/fetch-corpus.sh [corpus=benchmark] [out=.data/near-duplicates, or .data/near-duplicates-<corpus>]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-benchmark}
default_out="$repo/.data/near-duplicates"
[ "$corpus" = benchmark ] || default_out="$default_out-$corpus"
out=$(realpath -m "${2:-$default_out}")
cd "$repo"
mapfile -t packages < <(npx tsx bench/corpus-packages.ts "$corpus")
mkdir -p "$out/debs" "$out/raw"
cd "$out/debs"
for p in "${packages[@]}"; do
  if ! ls "${p}"_*.deb >/dev/null 2>&1; then apt-get download "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true; fi
  if [ ! -d "$out/raw/$p" ]; then
    tmp="$out/raw/.$p.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
    dpkg-deb -x "${p}"_*.deb "$tmp"
    # Keep raster images only; everything else is dropped to save space.
    find "$tmp" -type f ! \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.webp' -o -iname '*.gif' -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.bmp' \) -delete
    mv "$tmp" "$out/raw/$p"
  fi
  echo "$p: $(find "$out/raw/$p" -type f | wc -l) images"
done
cd "$repo"
npx tsx bench/near-duplicate-corpus.ts "$out" "$corpus"
