#!/usr/bin/env bash
# Seeds corpus/<target>/ from the bundled platforms and the bad-spec corpus:
# each seed is platform.yaml, a NUL byte, then one environment overlay (or nothing).
# Prints the number of seeds written per target; fails when it wrote none.
# FUZZ_CORPUS=DIR writes DIR/<target>/ instead of fuzz/corpus/<target>/.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")"
corpus=${FUZZ_CORPUS:-corpus}
for target in load_merge pipeline; do
  mkdir -p "$corpus/$target"
  written=0
  for base in ../platforms/*/platform.yaml ../tests/bad/[0-9]*/platform.yaml ../tests/bad/pending/*/platform.yaml; do
    [ -f "$base" ] && [ -r "$base" ] || continue
    dir=$(dirname "$base")
    name=$(basename "$dir")
    envs=("$dir"/environments/*.yaml "$dir"/environments/*.yml)
    [ "${#envs[@]}" -gt 0 ] || envs=(/dev/null)
    for env in "${envs[@]}"; do
      # A case whose overlay is not a regular readable file (a symlink out, a FIFO) seeds an empty overlay.
      if [ -f "$env" ] && [ -r "$env" ]; then overlay=$env; else overlay=/dev/null; fi
      { cat "$base"; printf '\0'; cat "$overlay"; } > "$corpus/$target/seed-$name-$(basename "$env" | tr . _)"
      written=$((written + 1))
    done
  done
  echo "$target: $written seeds in $corpus/$target"
  [ "$written" -gt 0 ] || { echo "no seeds written" >&2; exit 1; }
done
