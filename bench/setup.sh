#!/usr/bin/env bash
# Installs what the benchmarks compare against: Debian's pandas and statsmodels for /usr/bin/python3.
set -euo pipefail
if /usr/bin/python3 -c 'import pandas, statsmodels' 2>/dev/null; then
  exit 0
fi
echo "Installing python3-pandas and python3-statsmodels (the benchmarks' reference tools)…"
apt-get update
apt-get install -y python3-pandas python3-statsmodels
