#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what ospack needs on Debian 12 (only what is missing), builds it, then builds,
# verifies and checks the example release of manifests/example/.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential autoconf automake libtool pkg-config libarchive-dev libssl-dev libyaml-dev
libjansson-dev libgit2-dev git openssl python3 python3-jsonschema python3-yaml reuse time bsdutils
clang libclang-rt-14-dev libcurl4-openssl-dev zstd libarchive-tools python3-cryptography
docker-registry apache2-utils skopeo"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "installing:$missing"
	$SUDO apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
fi

autoreconf -fi
./configure
make -j"$(nproc)"

./ospack build manifests/example/manifest.yaml -o tiny-stories-15m-1.0.0.tar
./ospack verify tiny-stories-15m-1.0.0.tar
