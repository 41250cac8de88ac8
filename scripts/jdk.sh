# Sourced by ./mlm4j and scripts/test: finds a JDK 25 and exports JAVA_HOME.
# Order: $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*25*.
mlm4j_java_major() {
  # prints the feature version of the java binary given, or nothing: from the JDK's `release` file when it has one (no
  # JVM start: asking java itself took ~60 ms of every command, one start-up in twenty), else from java itself
  local release version
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n1)
    if [ -n "$version" ]; then echo "$version"; return; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}
mlm4j_find_jdk() {
  local cand
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(mlm4j_java_major "$JAVA_HOME/bin/java")" = 25 ]; then
    return 0
  fi
  if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ "$(mlm4j_java_major "$cand/bin/java")" = 25 ]; then export JAVA_HOME="$cand"; return 0; fi
  fi
  for cand in /usr/lib/jvm/*25* /opt/java/*25* /opt/jdk*25*; do
    if [ -x "$cand/bin/javac" ] && [ "$(mlm4j_java_major "$cand/bin/java")" = 25 ]; then export JAVA_HOME="$cand"; return 0; fi
  done
  echo "mlm4j: no JDK 25 found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm/*25*)." >&2
  echo "mlm4j: install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium) or from https://adoptium.net, then set JAVA_HOME." >&2
  return 1
}
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mlm4j_find_mvn() {
  if command -v mvn >/dev/null 2>&1; then return 0; fi
  echo "mlm4j: Maven (mvn) is needed to build; install it with 'apt-get install maven'." >&2
  return 1
}
