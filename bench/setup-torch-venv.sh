#!/usr/bin/env bash
# A Python virtualenv with CPU PyTorch for bench/torch_lora_train.py, without PyPI: the torch wheel from
# /opt/wheels (or $TORCH_WHEEL) and torch's pure-Python dependencies from Debian. Debian 12 ships
# sympy 1.11 and typing_extensions 4.4, older than torch 2.13 imports, so those two (and mpmath) are taken
# from Debian 13's packages, unpacked into the virtualenv only.
#   bench/setup-torch-venv.sh [VENV_DIR]     (default /tmp/torchenv), then
#   ./fedex bench train --python VENV_DIR/bin/python
set -euo pipefail
venv=${1:-/tmp/torchenv}
wheel=${TORCH_WHEEL:-$(ls /opt/wheels/torch-*.whl | head -1)}
apt-get install -y -q --no-install-recommends python3-venv python3-filelock python3-networkx python3-jinja2 \
  python3-fsspec python3-numpy >/dev/null
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q --no-index --no-deps "$wheel"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/debs"
echo "deb http://deb.debian.org/debian trixie main" > "$work/trixie.list"
apt_opts=(-o Dir::Etc::sourcelist="$work/trixie.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/lists"
          -o APT::Get::List-Cleanup=0)
apt-get "${apt_opts[@]}" update -q >/dev/null
(cd "$work/debs" && apt-get "${apt_opts[@]}" download python3-sympy python3-typing-extensions python3-mpmath >/dev/null 2>&1)
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/x"; done
site=$("$venv/bin/python" -c 'import site; print(site.getsitepackages()[0])')
cp -r "$work"/x/usr/lib/python3/dist-packages/* "$site/"
"$venv/bin/python" -c 'import torch; torch.optim.AdamW([torch.zeros(1, requires_grad=True)]); print("torch", torch.__version__)'
