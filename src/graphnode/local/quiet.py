"""No third-party progress bars in what we start: transformers' "Loading weights" and GGUF
"Converting and de-quantizing" bars (tqdm, through huggingface_hub's switch) would otherwise
be mixed into our own progress line, or fill the services' logs with carriage returns."""

from __future__ import annotations

import os

# Read when tqdm and transformers are imported, so set before that (or in a child's env).
NO_PROGRESS_BARS = {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
# In a terminal run (``graphnode build``) transformers' advice is noise too; services keep it
# in their logs.
QUIET_TRANSFORMERS = {"TRANSFORMERS_VERBOSITY": "error"}


def quiet_progress_bars() -> None:
    """For this process, unless the user chose otherwise in the environment."""
    for name, value in {**NO_PROGRESS_BARS, **QUIET_TRANSFORMERS}.items():
        os.environ.setdefault(name, value)
