#!/usr/bin/env bash
# Installs what the benchmarks compare against: Debian's pandas and statsmodels for /usr/bin/python3,
# and polars in a virtual environment of its own (from this machine's Python package index), for the bench only.
set -euo pipefail
if ! /usr/bin/python3 -c 'import pandas, statsmodels' 2>/dev/null; then
  echo "Installing python3-pandas and python3-statsmodels (the benchmarks' reference tools)…"
  apt-get update
  apt-get install -y python3-pandas python3-statsmodels
fi
# The same directory bench/analysis/reference.ts looks in.
venv="${TMPDIR:-/tmp}/cascade-bench/polars-venv"
if ! "$venv/bin/python" -c 'import polars' 2>/dev/null; then
  echo "Installing polars into $venv (a reference tool of the analysis bench)…"
  if ! /usr/bin/python3 -m venv "$venv" 2>/dev/null; then
    apt-get install -y python3-venv
    /usr/bin/python3 -m venv "$venv"
  fi
  # This machine's own package index (pip's configured extra index) only: no other index is reachable.
  read -r -a indexes <<<"$("$venv/bin/pip" config get global.extra-index-url 2>/dev/null || true)"
  sources=()
  if [ "${#indexes[@]}" -gt 0 ]; then
    sources=(--index-url "${indexes[0]}")
    for index in "${indexes[@]:1}"; do sources+=(--extra-index-url "$index"); done
  fi
  "$venv/bin/pip" install --quiet "${sources[@]}" polars
fi
