#!/usr/bin/env bash
# `npm test` runs this first (npm's pretest): it brings whatever the suite needs beyond `npm ci`,
# so the README's two commands are enough on a fresh machine. Idempotent and silent when all is
# there; one line per prerequisite it has to fetch; one line and exit 1 when one cannot be had.
#   - Debian's chromium, for the browser tests (browser downloads are blocked on these machines);
#   - Debian's prometheus, for the rollout guard tests (a real Prometheus on loopback);
#   - Java 17 and Maven, then the mongo-java-server launcher jar for the MongoDB store tests;
#   - a current dist/ (the tests start the built server as a process).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { echo "test setup: $*" >&2; }
fail() { say "$*"; exit 1; }

apt_updated=false
# Installs Debian packages when we are root; otherwise says which command would.
apt_install() {
  local why=$1; shift
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    fail "$why needs: sudo apt-get install -y $* (or run npm test as root once)"
  fi
  say "installing $* with apt-get ($why; once)"
  export DEBIAN_FRONTEND=noninteractive
  if [[ $apt_updated == false ]]; then
    apt-get update -qq >/dev/null || fail "apt-get update failed; install $* by hand"
    apt_updated=true
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || fail "apt-get install $* failed; install it by hand"
}

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  [[ -n ${CHROMIUM_PATH:-} ]] && fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  apt_install "the browser tests (playground, console)" chromium
fi

prometheus=${PROMETHEUS_PATH:-/usr/bin/prometheus}
if [[ ! -x $prometheus ]]; then
  [[ -n ${PROMETHEUS_PATH:-} ]] && fail "PROMETHEUS_PATH=$PROMETHEUS_PATH is not an executable"
  apt_install "the rollout guard tests (a real Prometheus)" prometheus
fi

if [[ -z ${MONGODB_URI:-} ]]; then
  if ! command -v mvn >/dev/null 2>&1 || { ! command -v javac >/dev/null 2>&1 && [[ -z ${JAVA_HOME:-} ]]; }; then
    apt_install "the MongoDB store tests (mongo-java-server)" maven openjdk-17-jdk-headless
  fi
  [[ -f test/mongo-server/target/mongo-launcher.jar ]] || say "building the mongo-java-server launcher with Maven (once)"
  bash test/mongo-server/build.sh >&2 || fail "could not build test/mongo-server/target/mongo-launcher.jar (see above)"
fi

npm run -s build:if-stale
