#!/usr/bin/env bash
# Fails when a tracked file cites something outside the repository: a design note kept beside
# it, the shared folder it was written from, or a machine's absolute path. Everything the
# project relies on is written into docs/ instead (docs/architecture.md, "Rules the code keeps").
set -euo pipefail
cd "$(dirname "$0")/.."
# The patterns are split so that this file does not match itself.
design='DESIGN''\.md'
shared='\.\./''shared'
absolute='(^|[^A-Za-z0-9_.~-])/(work|home|Users)/'
if git grep -n -I -E "${design}|${shared}|${absolute}" -- . ':(exclude)package-lock.json'; then
  echo "check-standalone: the lines above cite files outside the repository;" >&2
  echo "write what they rely on into docs/ and cite that instead" >&2
  exit 1
fi
echo "check-standalone: no tracked file cites a design note, the shared folder or an absolute machine path"
