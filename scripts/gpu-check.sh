#!/usr/bin/env bash
# The decoder's GPU path on a machine with an NVIDIA GPU: the PyTorch parity tests with the model on the GPU
# (frozen base weights in fp16, LoRA parameters and optimiser state in fp32; tolerance 1e-2 there, fp16's
# precision, against the fp32 reference), then `./fedex bench lm`. Record its figures in docs/benchmarks.md.
#
# DJL 0.36 needs a CUDA libtorch 2.7.1 (Maven Central has only the CPU one): point PYTORCH_LIBRARY_PATH at the
# lib/ directory of one (for example a CUDA torch 2.7.1 wheel's torch/lib), or let DJL download it where the
# machine has internet (PYTORCH_FLAVOR=cu128, and no DJL_OFFLINE).
#   scripts/gpu-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
export PYTORCH_VERSION=${PYTORCH_VERSION:-2.7.1}
export PYTORCH_FLAVOR=${PYTORCH_FLAVOR:-cu128}
if [ -z "${PYTORCH_LIBRARY_PATH:-}" ]; then
  echo "gpu-check: PYTORCH_LIBRARY_PATH is not set; DJL will try to download libtorch $PYTORCH_VERSION-$PYTORCH_FLAVOR" >&2
  export DJL_OFFLINE=false
fi
python=${FEDEX_TORCH_PYTHON:-/tmp/torchenv/bin/python}
[ -x "$python" ] || bench/setup-torch-venv.sh /tmp/torchenv
export FEDEX_TORCH_PYTHON=$python
scripts/fetch-tokenizers.sh || echo "gpu-check: no tokenizers; the tests that need one are skipped" >&2
./mvnw -B -pl lora-train -am verify -Dfedex.test.device=gpu -Dai.djl.pytorch.num_threads=4 \
  -Dtest='CausalLmParityIntegrationTests,LmTrainerIntegrationTests' -Dsurefire.failIfNoSpecifiedTests=false
./fedex bench lm --python "$python" --threads "$(nproc)"
