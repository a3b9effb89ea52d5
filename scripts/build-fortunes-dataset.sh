#!/usr/bin/env bash
# Builds the fortune-category dataset: each fortune of ten topical category files of Debian's `fortunes` package
# (fortune-mod's data, /usr/share/games/fortunes), labelled by the file it comes from: 10 classes.
#
#   scripts/build-fortunes-dataset.sh [OUT_DIR] [PER_CLASS_SAMPLE]
#
# Writes OUT_DIR/fortunes.jsonl (every fortune of the ten files), OUT_DIR/fortunes-labels.txt (label index ->
# category) and OUT_DIR/fortunes-sample.jsonl with at most PER_CLASS_SAMPLE (default 150) fortunes per class, drawn
# by a fixed pseudo-random order (same package, same sample). JSONL lines are
# {"text": <the fortune on one line>, "label": <0..9>, "category": <file name>}.
# The files are under the BSD licence of fortune-mod (see /usr/share/doc/fortunes/copyright and
# datasets/LICENSE-fortunes); that notice must travel with the output.
set -euo pipefail

out=${1:-data/datasets}
sample=${2:-150}
fortunes=${FORTUNES_DIR:-/usr/share/games/fortunes}
categories="computers drugs education food law literature men-women politics science startrek"

if [ ! -r "$fortunes/computers" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "fortunes is missing: installing it with apt-get" >&2
    apt-get install -y fortunes >/dev/null || { apt-get update >/dev/null && apt-get install -y fortunes >/dev/null; }
  else
    echo "error: $fortunes/computers not found; install Debian's fortunes (apt-get install fortunes)" >&2
    exit 1
  fi
fi
case "$sample" in ''|*[!0-9]*) echo "error: PER_CLASS_SAMPLE must be a whole number, got '$sample'" >&2; exit 1;; esac
mkdir -p "$out"
printf '%s\n' $categories > "$out/fortunes-labels.txt"

# A fortune file is fortunes separated by lines holding only '%'. Each fortune is joined onto one line; overstruck
# characters (x BACKSPACE y, old terminal emphasis) keep what was printed last; invalid UTF-8 is dropped.
label=0
: > "$out/fortunes.jsonl"
for c in $categories; do
  iconv -f UTF-8 -t UTF-8 -c "$fortunes/$c" | LC_ALL=C awk -v label="$label" -v cat="$c" '
    function flush() {
      gsub(/[\t ]+/, " ", text); sub(/^ /, "", text); sub(/ $/, "", text)
      if (text != "") {
        gsub(/\\/, "&&", text); gsub(/"/, "\\\"", text)
        printf "{\"text\": \"%s\", \"label\": %d, \"category\": \"%s\"}\n", text, label, cat
      }
      text = ""
    }
    BEGIN { bs = sprintf("%c", 8); text = "" }
    /^%$/ { flush(); next }
    {
      line = $0
      while ((i = index(line, bs)) > 1) line = substr(line, 1, i - 2) substr(line, i + 1)
      gsub(bs, "", line); gsub(/[\001-\037\177]/, " ", line)
      text = text " " line
    }
    END { flush() }' >> "$out/fortunes.jsonl"
  label=$((label + 1))
done
echo "wrote $(wc -l < "$out/fortunes.jsonl") fortunes to $out/fortunes.jsonl" >&2

# A fixed pseudo-random key per line (multiplicative hash of the line number), then the first N per class.
LC_ALL=C awk '{ printf "%010d\t%s\n", (NR * 2654435761) % 4294967291, $0 }' "$out/fortunes.jsonl" \
  | LC_ALL=C sort -k1,1 | cut -f2- \
  | LC_ALL=C awk -v per="$sample" '{ match($0, /"label": [0-9]+/); l = substr($0, RSTART, RLENGTH);
                                     if (++n[l] <= per) print }' > "$out/fortunes-sample.jsonl"
echo "wrote $(wc -l < "$out/fortunes-sample.jsonl") fortunes (at most $sample per class) to $out/fortunes-sample.jsonl" >&2
