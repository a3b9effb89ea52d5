#!/usr/bin/env bash
# Builds the WordNet noun-category dataset: every noun synset's definition, labelled by its lexicographer
# category (noun.animal, noun.artifact, ...: 26 classes), from Debian's wordnet-base (WordNet 3.0).
#
#   scripts/build-wordnet-dataset.sh [OUT_DIR] [PER_CLASS_SAMPLE]
#
# Writes OUT_DIR/wordnet-nouns.jsonl (all ~82k definitions), OUT_DIR/labels.txt (label index -> category) and,
# when PER_CLASS_SAMPLE is given, OUT_DIR/wordnet-nouns-sample.jsonl with at most that many definitions per
# class, drawn by a fixed pseudo-random order (same package, same sample). JSONL lines are
# {"text": <definition>, "label": <0..25>, "category": "noun.x"}; label = lexicographer file number - 3.
# The WordNet licence (datasets/LICENSE-WordNet) must travel with the output.
set -euo pipefail

out=${1:-build/datasets}
sample=${2:-}
wordnet=${WORDNET_DIR:-/usr/share/wordnet}

if [ ! -r "$wordnet/data.noun" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "wordnet-base is missing: installing it with apt-get" >&2
    apt-get install -y wordnet-base >/dev/null || { apt-get update >/dev/null && apt-get install -y wordnet-base >/dev/null; }
  else
    echo "error: $wordnet/data.noun not found; install Debian's wordnet-base (apt-get install wordnet-base)" >&2
    exit 1
  fi
fi
mkdir -p "$out"

categories="noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body noun.cognition
noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive noun.object
noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape
noun.state noun.substance noun.time"
printf '%s\n' $categories > "$out/labels.txt"

# data.noun: a licence header (lines starting with two spaces), then one synset per line:
#   offset lex_filenum ss_type w_cnt word lex_id ... | gloss
# The gloss is the definition, optionally followed by '; "example"' sentences, which often contain the lemma
# itself: only the definition is kept.
LC_ALL=C awk -v cats="$categories" '
  BEGIN { n = split(cats, c, /[ \n]+/); for (i = 1; i <= n; i++) name[i - 1] = c[i] }
  /^  / { next }
  {
    bar = index($0, " | "); if (bar == 0) next
    split(substr($0, 1, bar), f, " ")
    label = f[2] - 3
    gloss = substr($0, bar + 3)
    sub(/[ \t]+$/, "", gloss)
    ex = index(gloss, "; \""); if (ex > 0) gloss = substr(gloss, 1, ex - 1)
    sub(/[ ;]+$/, "", gloss)
    if (gloss == "" || label < 0 || label > 25) next
    gsub(/\\/, "\\\\", gloss); gsub(/"/, "\\\"", gloss); gsub(/\t/, " ", gloss)
    printf "{\"text\": \"%s\", \"label\": %d, \"category\": \"%s\"}\n", gloss, label, name[label]
  }' "$wordnet/data.noun" > "$out/wordnet-nouns.jsonl"
echo "wrote $(wc -l < "$out/wordnet-nouns.jsonl") examples to $out/wordnet-nouns.jsonl" >&2

if [ -n "$sample" ]; then
  # A fixed pseudo-random key per line (multiplicative hash of the line number), then the first N per class.
  LC_ALL=C awk '{ printf "%010d\t%s\n", (NR * 2654435761) % 4294967291, $0 }' "$out/wordnet-nouns.jsonl" \
    | LC_ALL=C sort -k1,1 | cut -f2- \
    | LC_ALL=C awk -v per="$sample" '{ match($0, /"label": [0-9]+/); l = substr($0, RSTART, RLENGTH);
                                        if (++seen[l] <= per) print }' \
    > "$out/wordnet-nouns-sample.jsonl"
  echo "wrote $(wc -l < "$out/wordnet-nouns-sample.jsonl") examples to $out/wordnet-nouns-sample.jsonl" >&2
fi
