# Sourced by ./fedex and .ci/run: points JAVA_HOME at a JDK 21 or newer, or stops with a clear message.
# Order: $JAVA_HOME, the `java` on PATH, then every JDK under /usr/lib/jvm and /opt (newest first).

fedex_java_major() {  # prints the major version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

fedex_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    candidates+=("${c%/}")
  done
  for c in "${candidates[@]}"; do
    major=$(fedex_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! FEDEX_JDK=$(fedex_find_jdk); then
  echo "fedex: no JDK 21 or newer found (looked at JAVA_HOME, PATH, /usr/lib/jvm, /opt)." >&2
  echo "fedex: install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$FEDEX_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
# Native engines (DJL/libtorch) must never phone home.
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
