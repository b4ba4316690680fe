#!/usr/bin/env bash
# The Debian package: cpack builds it from the build folder, dpkg installs it into an empty root
# (--root, maintainer scripts chrootless, as on a fresh container's filesystem), the files are
# where the package promises, and the installed binary serves /health with the installed default
# arguments' store layout. The tarball holds the same files.
# Usage: package_test.sh BUILD_DIR. Exit 77 (skipped) without dpkg-deb/dpkg-shlibdeps.
set -euo pipefail
build="$(cd "$1" && pwd)"
for tool in dpkg dpkg-deb dpkg-shlibdeps cpack python3; do
  command -v "$tool" >/dev/null || { echo "no $tool: skipped"; exit 77; }
done
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/stepwise_*.deb)"
tgz="$(ls "$work"/stepwise-*.tar.gz)"
echo "built $(basename "$deb") and $(basename "$tgz")"

# The control data: run-time dependencies found by dpkg-shlibdeps, the conffile, the scripts.
info="$(dpkg-deb --info "$deb")"
for want in "Package: stepwise" "Depends:" "libre2" "libyaml-cpp" "libsqlite3" "adduser"; do
  grep -q "$want" <<<"$info" || fail "control lacks $want: $info"
done
# (Listings go to files: `grep -q` on a pipe would stop reading early and fail it, pipefail.)
dpkg-deb --ctrl-tarfile "$deb" >"$work/control.tar"
tar -xOf "$work/control.tar" ./conffiles >"$work/conffiles" || fail "no conffiles"
grep -qx /etc/stepwise/stepwise.conf "$work/conffiles" || fail "stepwise.conf is not a conffile"

# Installed into an empty root, as dpkg would on a clean system (a dpkg database of its own).
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-script-chrootless --force-depends --force-not-root \
     --log=/dev/null -i "$deb" \
     >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
for f in usr/bin/stepwise lib/systemd/system/stepwise.service etc/stepwise/stepwise.conf \
         usr/share/doc/stepwise/README.md usr/share/doc/stepwise/docs/TESTING.md; do
  [ -f "$root/$f" ] || fail "missing /$f"
done
[ -d "$root/etc/stepwise/functions.d" ] || fail "missing /etc/stepwise/functions.d"
[ -d "$root/var/lib/stepwise" ] || fail "postinst did not make /var/lib/stepwise"
[ -x "$root/usr/bin/stepwise" ] || fail "/usr/bin/stepwise is not executable"
status="$(dpkg --root="$root" -s stepwise)"
grep -q "Status: install ok installed" <<<"$status" || fail "dpkg says: $status"

# The unit: the service user, the config file, reload by SIGHUP.
unit="$root/lib/systemd/system/stepwise.service"
for want in "User=stepwise" "EnvironmentFile=/etc/stepwise/stepwise.conf" \
            "ExecStart=/usr/bin/stepwise serve \$STEPWISE_ARGS" "ExecReload=/bin/kill -HUP" \
            "StateDirectory=stepwise"; do
  grep -qF "$want" "$unit" || fail "unit lacks $want"
done
if command -v systemd-analyze >/dev/null; then
  # Only the unit's own syntax: the stepwise user and the binary's path belong to the target.
  systemd-analyze verify --root="$root" "$unit" >"$work/verify.log" 2>&1 || true
  if grep -qiE "unknown (section|key|lvalue)|invalid|failed to parse" "$work/verify.log"; then
    cat "$work/verify.log"; fail "systemd-analyze"
  fi
fi

# The installed program runs: --version, then the service's default arguments (config file),
# with the data and functions directories moved into the root, answering /health.
"$root/usr/bin/stepwise" --version | grep -q "^stepwise " || fail "--version"
# shellcheck disable=SC1091
source "$root/etc/stepwise/stepwise.conf"
args="${STEPWISE_ARGS//\/var\/lib\/stepwise/$root/var/lib/stepwise}"
args="${args//\/etc\/stepwise/$root/etc/stepwise}"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
args="${args//--port 8083/--port $port}"
# shellcheck disable=SC2086
"$root/usr/bin/stepwise" serve $args >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request, sys
r = urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)
sys.exit(0 if r.status == 200 else 1)" 2>/dev/null; then
    ok=1; break
  fi
  sleep 0.1
done
[ "${ok:-0}" = 1 ] || { cat "$work/serve.log"; fail "/health did not answer"; }
[ -f "$root/var/lib/stepwise/stepwise.db" ] || fail "no store in /var/lib/stepwise"
grep -q "on disk" "$work/serve.log" ||
  fail "serve did not log the store size: $(cat "$work/serve.log")"

# The tarball: the same program and unit.
tar -tzf "$tgz" >"$work/tgz.list"
for want in /usr/bin/stepwise /lib/systemd/system/stepwise.service /etc/stepwise/stepwise.conf; do
  grep -q "^stepwise-[^/]*$want\$" "$work/tgz.list" || fail "tarball lacks $want"
done
echo "ok: package installs into an empty root and its service answers /health"
