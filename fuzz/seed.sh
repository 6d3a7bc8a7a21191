#!/usr/bin/env bash
# Seeds corpus/<target>/ from the bundled platforms and the bad-spec corpus:
# each seed is platform.yaml, a NUL byte, then one environment overlay.
set -euo pipefail
cd "$(dirname "$0")"
for target in load_merge pipeline; do
  mkdir -p "corpus/$target"
  for base in ../platforms/*/platform.yaml ../tests/bad/[0-9]*/platform.yaml ../tests/bad/pending/*/platform.yaml; do
    dir=$(dirname "$base")
    name=$(basename "$dir")
    envs=("$dir"/environments/*.y*ml)
    [ -e "${envs[0]}" ] || envs=(/dev/null)
    for env in "${envs[@]}"; do
      { cat "$base"; printf '\0'; cat "$env"; } > "corpus/$target/seed-$name-$(basename "$env" | tr . _)"
    done
  done
done
ls corpus/*/ | wc -l
