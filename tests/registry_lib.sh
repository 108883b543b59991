# SPDX-License-Identifier: Apache-2.0
# Local OCI registries for the tests: Debian's docker-registry (Distribution 2.8) on
# 127.0.0.1, each on a free port with its own storage folder under $T, and a token server.
# Source it after tests/lib.sh. Every server is stopped by the PID started, on exit.
#
#   registry_need
#       skips the whole test (need_skip_all: a failure with OSPACK_NO_SKIP=1) unless
#       docker-registry, htpasswd, openssl and python3 with cryptography are there.
#   registry_start NAME [none | htpasswd USER PASSWORD | token]
#       starts a registry in $T/reg-NAME/ (storage, config.yml, log), without auth, with
#       HTTP Basic against an htpasswd file (htpasswd -Bbn), or with bearer tokens from the
#       server token_server_start started (start that first). Waits until /v2/ answers.
#       Sets REGISTRY ("127.0.0.1:PORT"), REGISTRY_PID and REGISTRY_LOG (its log, one line
#       per request: grep it for methods). Skips the test (need_skip_all) if it does not
#       come up.
#   token_server_start USER PASSWORD
#       makes an EC key and a self-signed certificate with openssl in $T/token/ and starts
#       tests/token_server.py. Sets TOKEN_REALM (its URL), TOKEN_SERVICE, TOKEN_ISSUER,
#       TOKEN_CERT, TOKEN_PID and TOKEN_COUNT (a file holding the number of tokens issued).
#   registry_proxy_start FAULT...
#       starts tests/registry_proxy.py in front of $REGISTRY, each FAULT (busy, patch-drop,
#       get-drop, redirect: see that file) once. Sets PROXY ("127.0.0.1:PORT") and PROXY_LOG.
#   registry_stop_all
#       stops every server started (also run on exit; then the temp folder is cleaned).

REGISTRY_PIDS=

registry_stop_all() {
	for p in $REGISTRY_PIDS; do kill "$p" 2>/dev/null; done
	for p in $REGISTRY_PIDS; do wait "$p" 2>/dev/null; done
	REGISTRY_PIDS=
}
registry_on_exit() {
	registry_stop_all
	cleanup
}
trap registry_on_exit EXIT

# registry_skip REASON: stops what was started, then need_skip_all (whose exit drops the trap).
registry_skip() {
	registry_stop_all
	need_skip_all "$1"
}

registry_need() {
	command -v docker-registry >/dev/null 2>&1 ||
		need_skip_all "docker-registry is not installed (apt-get install docker-registry)"
	command -v htpasswd >/dev/null 2>&1 ||
		need_skip_all "htpasswd is not installed (apt-get install apache2-utils)"
	command -v openssl >/dev/null 2>&1 || need_skip_all "openssl is not installed"
	python3 -c 'import cryptography' 2>/dev/null ||
		need_skip_all "python3 with cryptography is not installed (python3-cryptography)"
}

# free_port: a TCP port free on 127.0.0.1 now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL: true once anything answers at URL (any status), within 10 s.
wait_http() {
	python3 - "$1" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
}

token_server_start() {
	d=$T/token
	mkdir -p "$d"
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/key.pem" 2>"$d/openssl.log" &&
		openssl req -x509 -new -key "$d/key.pem" -subj /CN=ospack-test-token -days 2 \
			-out "$d/cert.pem" 2>>"$d/openssl.log" ||
		registry_skip "openssl cannot make a key and certificate: $(cat "$d/openssl.log")"
	TOKEN_ISSUER=ospack-test-issuer
	TOKEN_SERVICE=ospack-test-registry
	TOKEN_CERT=$d/cert.pem
	TOKEN_COUNT=$d/count
	printf '0\n' >"$TOKEN_COUNT"
	python3 "$top_srcdir/tests/token_server.py" "$d/key.pem" "$TOKEN_CERT" "$TOKEN_ISSUER" \
		"$1" "$2" "$TOKEN_COUNT" >"$d/port" 2>"$d/log" &
	TOKEN_PID=$!
	REGISTRY_PIDS="$REGISTRY_PIDS $TOKEN_PID"
	for _ in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	[ -s "$d/port" ] || registry_skip "the token server did not start: $(cat "$d/log")"
	TOKEN_REALM=http://127.0.0.1:$(head -n 1 "$d/port")/auth
}

registry_start() {
	name=$1 mode=${2:-none}
	d=$T/reg-$name
	mkdir -p "$d/data"
	port=$(free_port)
	{
		printf 'version: 0.1\nlog:\n  level: info\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$d/data"
		printf 'http:\n  addr: 127.0.0.1:%s\n  secret: ospack-test-secret\n' "$port"
		case $mode in
		htpasswd)
			htpasswd -Bbn "$3" "$4" >"$d/htpasswd" 2>/dev/null
			printf 'auth:\n  htpasswd:\n    realm: ospack-test\n    path: %s\n' "$d/htpasswd"
			;;
		token)
			printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n' \
				"$TOKEN_REALM" "$TOKEN_SERVICE" "$TOKEN_ISSUER" "$TOKEN_CERT"
			;;
		esac
	} >"$d/config.yml"
	REGISTRY_LOG=$d/log
	docker-registry serve "$d/config.yml" >"$REGISTRY_LOG" 2>&1 &
	REGISTRY_PID=$!
	REGISTRY_PIDS="$REGISTRY_PIDS $REGISTRY_PID"
	REGISTRY=127.0.0.1:$port
	wait_http "http://$REGISTRY/v2/" ||
		registry_skip "docker-registry did not start: $(tail -n 3 "$REGISTRY_LOG")"
}

registry_proxy_start() {
	d=$(mktemp -d "$T/proxy.XXXXXX")
	: >"$d/log"
	python3 "$top_srcdir/tests/registry_proxy.py" "${REGISTRY##*:}" "$d/port" "$d/log" "$@" \
		2>"$d/stderr" &
	REGISTRY_PIDS="$REGISTRY_PIDS $!"
	for _ in $(seq 100); do
		[ -s "$d/port" ] && break
		sleep 0.1
	done
	[ -s "$d/port" ] || registry_skip "the registry proxy did not start: $(cat "$d/stderr")"
	PROXY=127.0.0.1:$(cat "$d/port")
	PROXY_LOG=$d/log
}
