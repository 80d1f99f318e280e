#!/usr/bin/env bash
# On-premises CLI (API.md): ./run_profiler.sh -o add_media -d <dataset_id> -p /path/to/new/media [-a]
# Runs local/cli.ts of the repository this script lives in (symlinks followed), from any directory; --help lists all.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
exec "$repo/node_modules/.bin/tsx" "$repo/local/cli.ts" "$@"
