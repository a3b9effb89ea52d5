#!/usr/bin/env bash
# Checkpoint streaming benchmark: a synthetic BF16 checkpoint of the LLaMA-7B shape (hidden 4096, MLP 11008,
# vocab 32000, 32 heads, separate lm_head) is imported into a registry running in its own JVM under -Xmx HEAP,
# one FedEx round (3 clients, rank-16 adapters on q/k/v/o/gate/up/down of every layer) is aggregated with
# lora-core and registered, and the version is exported; the export is checked bit for bit on three tensors.
# Wall times, the registry's peak heap (from its GC log) and the aggregation's are printed and written to
# model-registry/target/checkpoint-streaming.json, with the load average.
#   bench/checkpoint.sh [LAYERS] [HEAP] [SHARDS]   defaults 32 (the full 7B: ~13.5 GB, needs ~60 GB free disk
#                                                   and FEDEX_REGISTRY_MAX_UPLOAD above the whole checkpoint, which
#                                                   is one upload: e.g. 32GB), 512m, 8
# FEDEX_BENCH_READY_MINUTES (default 20): how long the registry may take to start (under nice on a loaded machine
# its start-up alone took over 4 minutes).
# It is LargeCheckpointStreamingIntegrationTests with the shape given by system properties.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/jdk.sh"
layers=${1:-32}
heap=${2:-512m}
shards=${3:-8}
df -h "${TMPDIR:-/tmp}" | tail -1 >&2
"$root/mvnw" -B -q -f "$root/pom.xml" -pl model-registry -am verify -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=LargeCheckpointStreamingIntegrationTests -Dfedex.checkpoint.layers="$layers" \
  -Dfedex.checkpoint.hidden=4096 -Dfedex.checkpoint.intermediate=11008 -Dfedex.checkpoint.vocab=32000 \
  -Dfedex.checkpoint.heads=32 -Dfedex.checkpoint.shards="$shards" -Dfedex.checkpoint.heap="$heap" \
  -Dfedex.checkpoint.rank=16 -Dfedex.checkpoint.ready-minutes="${FEDEX_BENCH_READY_MINUTES:-20}" -Djacoco.skip=true
cat "$root/model-registry/target/checkpoint-streaming.json"
