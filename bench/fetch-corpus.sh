#!/usr/bin/env bash

# Kinds: game sprites / tiles / portraits, wallpapers / photos, icons with transparency, clipart, scientific sample data.
packages=(
  wesnoth-1.16-data        # portraits, unit sprites, terrain tiles (PNG, transparency)
  freeciv-data             # tile sets
  frozen-bubble-data       # game art
  lincity-ng-data          # isometric city tiles
  pingus-data              # sprites, backgrounds
  gnome-backgrounds        # wallpapers (photos, renders)
  mate-backgrounds         # wallpapers (photos)
  ukui-wallpapers          # wallpapers (photos)
  oxygen-icon-theme        # icons up to 256 px with transparency
  kstars-data              # astronomical images
  marble-data              # maps, flags
  python-matplotlib-data   # scientific sample data
  python3-skimage          # scientific sample data (astronaut, coffee, ...)
  opencv-doc               # computer-vision sample images
  plasma-workspace-wallpapers # wallpapers (photos)
  tuxpaint-stamps-default  # photos and drawings of objects, many transparent
)
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
npx tsx bench/near-duplicate-corpus.ts "$out"
