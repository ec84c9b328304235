#!/usr/bin/env bash
# Debian packages the planner needs, installed only when missing:
#   runtime: Pango (WeasyPrint draws the PDF reports with it) and a Thai font;
#   test (the default): those, plus headless Chromium for the page tests and QGIS's
#   Python bindings for the system Python (tests/test_qgis_styles.py opens exports in QGIS).
set -euo pipefail
mode="${1:-test}"
need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
[ -n "$(fc-list :lang=th 2>/dev/null)" ] || need+=(fonts-thai-tlwg)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  /usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1 || need+=(python3-qgis)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The planner needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
  [ "$mode" = test ] && exit 1
  echo "(continuing: PDF reports will not work until they are installed)" >&2
  exit 0
fi
echo "installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
