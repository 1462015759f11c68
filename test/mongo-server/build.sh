#!/usr/bin/env bash
# Builds target/mongo-launcher.jar, the mongo-java-server launcher used by the MongoDB tests
# (test/support/mongo-java-server.ts). Idempotent: does nothing while the jar is newer than
# pom.xml and every source file. The first build downloads mongo-java-server, Netty and the
# Maven plugins from Maven Central into ~/.m2; later builds need no network.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
jar=target/mongo-launcher.jar

up_to_date() {
  [[ -f $jar && -z $(find pom.xml src -newer "$jar" -print -quit) ]]
}

up_to_date && exit 0

if ! command -v mvn >/dev/null 2>&1; then
  if [[ -f $jar ]]; then
    echo "build.sh: mvn not found; using the existing (possibly stale) $PWD/$jar" >&2
    exit 0
  fi
  echo "build.sh: Maven (mvn) is needed to build $PWD/$jar (Debian: apt-get install maven openjdk-17-jdk-headless)" >&2
  exit 1
fi
if ! command -v javac >/dev/null 2>&1 && [[ -z ${JAVA_HOME:-} ]]; then
  echo "build.sh: a JDK 17+ (javac) is needed to build $PWD/$jar (Debian: apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi

mkdir -p target
# Test files run in parallel workers and each may ask for the jar: one build at a time, and a
# waiter re-checks once it gets the lock.
if command -v flock >/dev/null 2>&1; then
  exec 9>target/.build.lock
  flock 9
  up_to_date && exit 0
fi

# -q keeps a successful build silent; Maven 3.8 still prints bare ANSI reset codes, stripped here
# (pipefail keeps mvn's exit status).
mvn -q -B package -DskipTests 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g'
# Maven may leave the jar's mtime at the moment the build started; make the freshness check exact.
touch "$jar"
