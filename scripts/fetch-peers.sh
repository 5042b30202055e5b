#!/usr/bin/env bash
# Resolves the jars of the real test peers (Kafka broker, HDFS MiniDFSCluster, Apache Flume agent) from Maven
# Central into the local Maven repository and writes each peer's classpath file; compiles the HDFS launcher.
# Usage: fetch-peers.sh [kafka|hdfs|flume|all]   (default: all)
# A classpath file is reused while it is newer than its pom and every jar it names still exists, so a run
# after a complete fetch takes well under a second.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peers=$root/test/peers
plugin=org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath

# Test files and developers may fetch at the same moment; Maven 3.8 does not lock its local repository.
if command -v flock >/dev/null; then
  exec 9>"${TMPDIR:-/tmp}/sluice-fetch-peers.lock"
  flock 9
fi

up_to_date() { # <cpfile> <pom>
  local cp=$1 pom=$2 jar
  [[ -s $cp && $cp -nt $pom ]] || return 1
  local IFS=:
  for jar in $(<"$cp"); do [[ -e $jar ]] || return 1; done
}

resolve() { # <peer dir> <pom file name> <classpath file>
  local dir=$1 pom=$2 cp=$3
  up_to_date "$cp" "$dir/$pom" && return 0
  echo "fetch-peers: resolving ${dir#"$root"/}/$pom" >&2
  mkdir -p "$(dirname "$cp")"
  local log
  log=$(mktemp)
  if ! (cd "$dir" && mvn -q -B -f "$pom" "$plugin" -Dmdep.outputFile="$cp.tmp") >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "fetch-peers: Maven could not resolve ${dir#"$root"/}/$pom (is Maven Central reachable?)" >&2
    return 1
  fi
  rm -f "$log"
  # Renamed into place so that a reader never sees a half-written classpath.
  mv "$cp.tmp" "$cp"
}

fetch_kafka() { resolve "$peers/kafka" pom.xml "$peers/kafka/cp.txt"; }

fetch_hdfs() {
  local d=$peers/hdfs
  resolve "$d" pom.xml "$d/cp.txt"
  if [[ ! -e $d/build/MiniHdfs.class || $d/MiniHdfs.java -nt $d/build/MiniHdfs.class || $d/cp.txt -nt $d/build/MiniHdfs.class ]]; then
    echo "fetch-peers: compiling MiniHdfs.java" >&2
    mkdir -p "$d/build"
    javac -nowarn -cp "$(<"$d/cp.txt")" -d "$d/build" "$d/MiniHdfs.java"
  fi
}

fetch_flume() {
  local d=$peers/flume
  resolve "$d" pom.xml "$d/cp.txt"
  resolve "$d" pom-kafka.xml "$d/build/cp-kafka.txt"
  resolve "$d" pom-hdfs.xml "$d/build/cp-hdfs.txt"
}

case ${1:-all} in
  kafka) fetch_kafka ;;
  hdfs) fetch_hdfs ;;
  flume) fetch_flume ;;
  all) fetch_kafka; fetch_hdfs; fetch_flume ;;
  *) echo "usage: $0 [kafka|hdfs|flume|all]" >&2; exit 2 ;;
esac
