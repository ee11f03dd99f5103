#!/usr/bin/env bash
# Debian packages Cascade's tests use beyond npm: Chromium (browser tests) and the AWS CLI v2
# (the outside-client checks). Safe to run again; does nothing when both are present.
set -uo pipefail

wanted=()
[ -x /usr/bin/chromium ] || wanted+=(chromium)
[ -x /usr/bin/aws ] || wanted+=(awscli)
if [ ${#wanted[@]} -eq 0 ]; then
  echo "System packages: chromium and awscli are installed."
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "System packages: apt-get is not available, so ${wanted[*]} cannot be installed; the tests that need them will be skipped."
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "System packages: installing ${wanted[*]} needs root (or sudo); the tests that need them will be skipped."
    exit 0
  fi
fi

echo "System packages: installing ${wanted[*]} …"
if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null; then
  echo "System packages: installed ${wanted[*]}."
else
  echo "System packages: could not install ${wanted[*]}; the tests that need them will be skipped."
fi
exit 0
