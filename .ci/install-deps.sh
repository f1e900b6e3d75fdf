#!/usr/bin/env bash
# Installs what the tests need from Debian's packages, if it is missing:
# rdflib (for /usr/bin/python3) and rapper, the RDF parsers we did not
# write; chromium, node and npm for the browser tests, and their npm
# packages (pinned in e2e/package-lock.json). Playwright never downloads a
# browser: the tests drive /usr/bin/chromium. Virtuoso 7 (the SPARQL store's
# tests and `make bench-peer`, started by .ci/virtuoso.sh), Prometheus with
# promtool, and Alertmanager: the real peers that tests start on loopback.
# Their Debian services are not used: each test starts its own.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c 'import rdflib' 2>/dev/null || need+=(python3-rdflib)
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -gt 0 ]; then
	echo "installing: ${need[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/axe-core ]; then
	echo "installing e2e/node_modules (npm ci)"
	(cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# Oxigraph, the second SPARQL implementation the SPARQL store's tests run
# on (.ci/oxigraph/server.js), pinned in .ci/oxigraph/package-lock.json.
if [ ! -d .ci/oxigraph/node_modules/oxigraph ]; then
	echo "installing .ci/oxigraph/node_modules (npm ci)"
	(cd .ci/oxigraph && npm ci --no-audit --no-fund)
fi
