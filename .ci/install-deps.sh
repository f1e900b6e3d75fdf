#!/usr/bin/env bash
# Installs what the tests need from Debian's packages, if it is missing:
# rdflib (for /usr/bin/python3) and rapper, the RDF parsers we did not write.
set -euo pipefail

need=()
/usr/bin/python3 -c 'import rdflib' 2>/dev/null || need+=(python3-rdflib)
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
[ ${#need[@]} -eq 0 ] && exit 0

echo "installing: ${need[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
