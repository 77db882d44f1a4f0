"""Check this machine can run the examples; if not, say what is wrong in a few lines.

Every example that loads Phi-3 calls `check_environment(MODEL_ID)` first, so a reader
gets a short message instead of a long traceback when:

- the model is neither in the Hugging Face cache nor downloadable (offline: a
  three-second probe of the Hub says so at once, instead of half a minute of retries);
- there is not enough free memory for the weights;
- the installed transformers or torch differ from the versions the pages were
  checked with (a note, not an error: most examples still run).

Run it on its own with `python -m snippets.preflight`.
"""

from __future__ import annotations

import copy
import os
import sys

PINNED = {"transformers": "5.23.0", "torch": "2.13.0"}
GB = 1000**3
# Set to 1 to load the model even if the check below thinks memory is short.
SKIP_MEMORY_CHECK = "INSIDE_PHI3_SKIP_MEMORY_CHECK"


def check_environment(model_id: str, dtype=None) -> None:
    """Exit with a short explanation if `model_id` can't be loaded on this machine.

    `dtype` is the dtype the example loads the weights in (default: the
    checkpoint's own, bfloat16 for Phi-3).
    """
    version_note = _version_note()
    if version_note:
        print(version_note, file=sys.stderr)
    config = _load_config(model_id)
    if os.environ.get(SKIP_MEMORY_CHECK) != "1":
        _check_memory(model_id, config, dtype)


def _version_note() -> str | None:
    import torch
    import transformers

    installed = {
        "transformers": transformers.__version__,
        "torch": torch.__version__.split("+")[0],  # '2.13.0+cpu' -> '2.13.0'
    }
    differ = [name for name, version in PINNED.items() if installed[name] != version]
    if not differ:
        return None
    have = ", ".join(f"{name} {installed[name]}" for name in differ)
    want = ", ".join(f"{name} {PINNED[name]}" for name in differ)
    return (
        f"Note: you have {have}; these pages were checked with {want}. "
        "Printed output may differ. `make setup` installs the checked versions."
    )


def _load_config(model_id: str):
    from huggingface_hub import constants
    from transformers import AutoConfig

    reason = "offline mode is on (HF_HUB_OFFLINE=1)"
    if not constants.HF_HUB_OFFLINE and not hub_reachable(constants.ENDPOINT):
        # Without this, every download attempt retries for half a minute before
        # falling back to the cache. Offline mode goes to the cache at once, here
        # and for the example's own from_pretrained calls.
        constants.HF_HUB_OFFLINE = True
        reason = f"{constants.ENDPOINT} can't be reached"
    try:
        return AutoConfig.from_pretrained(model_id)
    except OSError as error:
        if not constants.HF_HUB_OFFLINE:
            reason = str(error)
        raise SystemExit(
            f"Can't load {model_id}: it is not in the Hugging Face cache and can't be "
            f"downloaded ({reason.splitlines()[0]}).\n"
            "Connect to the internet once to download it (several GB; it is then "
            "cached), or set HF_HOME to a folder that already holds it."
        ) from None


def hub_reachable(endpoint: str, timeout: float = 3.0) -> bool:
    """Whether a connection to the Hub's server opens within `timeout` seconds.

    Behind a proxy the Hub is reached through it, so we don't guess: True.
    """
    import socket
    import threading
    from urllib.parse import urlsplit

    proxies = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
               "all_proxy")
    if any(os.environ.get(name) for name in proxies):
        return True
    url = urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    reached = []

    def connect():
        try:
            socket.create_connection((url.hostname, port), timeout=timeout).close()
            reached.append(True)
        except OSError:
            pass

    # In a thread: looking up the name can hang longer than the socket's timeout.
    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(timeout)
    return bool(reached)


def weight_bytes(config, dtype=None) -> int:
    """Bytes the model's weights take in `dtype` (default: the checkpoint's).

    Counted on the `meta` device: the model is built without memory.
    """
    import torch
    from transformers import AutoModelForCausalLM

    config = copy.deepcopy(config)  # from_config records the dtype in the config
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype or config.dtype)
    return sum(p.numel() * p.element_size() for p in model.parameters())


def available_memory() -> int | None:
    """Bytes of memory free for new programs, or None where we can't tell."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:  # macOS and other Unixes
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(model_id: str, config, dtype=None) -> None:
    needed, free = weight_bytes(config, dtype), available_memory()
    if free is None or free >= needed:
        return
    raise SystemExit(
        f"Not enough memory for {model_id}: its weights need {needed / GB:.1f} GB, "
        f"this machine has {free / GB:.1f} GB free.\n"
        "Close other programs or use a machine with more memory. To try anyway, "
        f"set {SKIP_MEMORY_CHECK}=1."
    )


if __name__ == "__main__":
    model_id = sys.argv[1] if len(sys.argv) > 1 else "microsoft/Phi-3-mini-4k-instruct"
    check_environment(model_id)
    print(f"OK: this machine can load {model_id}.")
