"""`make test-numerics`: the numeric checks again, under a second configuration.

`make test` runs every check with one thread per worker and the vector kernels ATen
picks for this CPU (`torch.backends.cpu.get_cpu_capability()`). Here the checks whose
verdict depends on the numbers torch computes (marker `numeric`, see conftest.py)
run again with two threads and *another* of ATen's kernel sets: other vector widths
add floats in another order, as another reader's CPU does. The verdict must not
change.

Which other set: the next narrower one than ATen's own choice, in the order AVX-512,
AVX2, plain C++ (`default`): where ATen picks AVX-512 that is AVX2; where it picks
AVX2 (the AMD EPYC here, an AVX2 laptop) the plain kernels. Never a
wider one: ATen knows why it did not pick it. On this AMD EPYC, which lists AVX-512,
ATen picks AVX2, and `ATEN_CPU_CAPABILITY=avx512` ends the test process with "Fatal
Python error: Illegal instruction" (in a float power, building RoPE's frequencies).
The plain kernels are the most different from any vector ones, and the slowest (the
quantization quality test: 53 s of CPU against 14 s with AVX2).
CONTRIBUTING.md ("Bit for bit") says how to try the others by hand.

    python -m tools.numerics [pytest options]   # what `make test-numerics` runs
    python -m tools.numerics --print            # only say which configuration
"""

from __future__ import annotations

import os
import subprocess
import sys

# ATen's x86 kernel sets, widest first (ATEN_CPU_CAPABILITY's values); on arm64 the
# choice is between its vector kernels and `default`
CANDIDATES = ("avx512", "avx2", "default")
THREADS = "2"  # make test: one per worker (conftest.py)


def capability(requested: str | None = None) -> str:
    """The kernel set ATen uses in a new process, asked for `requested` (None: its own
    choice). A CPU that can't run the one asked for gets a lower one."""
    env = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    if requested:
        env["ATEN_CPU_CAPABILITY"] = requested
    return subprocess.run(
        [sys.executable, "-c",
         "import torch; print(torch.backends.cpu.get_cpu_capability())"],
        env=env, capture_output=True, text=True, check=True).stdout.strip().lower()


def second_capability(native: str | None = None) -> str:
    """The next kernel set of CANDIDATES narrower than ATen's own choice (`native`,
    asked of torch when not given)."""
    native = native or capability()
    narrower = CANDIDATES[CANDIDATES.index(native) + 1:] if native in CANDIDATES \
        else CANDIDATES[-1:]  # arm64's vector kernels: the plain ones
    return next((c for c in narrower if capability(c) == c), "default")


# Two workers, and the outputs' check's two processes, of two threads each share the
# cores: a thread that spins while it waits for work takes them from the others.
# Waiting asleep changes no arithmetic; measured, the pass took 131 and 137 s instead
# of 148 and 163 s (two runs each, alternating, nothing recorded).
WAIT = "PASSIVE"


def environment(native: str | None = None) -> dict[str, str]:
    return {"OMP_NUM_THREADS": THREADS, "OMP_WAIT_POLICY": WAIT,
            "ATEN_CPU_CAPABILITY": second_capability(native)}


def main(argv: list[str]) -> int:
    native = capability()
    settings = environment(native)
    said = " ".join(f"{key}={value}" for key, value in settings.items())
    print(f"second numeric configuration: {said} (make test: OMP_NUM_THREADS=1, "
          f"ATen's own choice, {native.upper()})", flush=True)
    if argv == ["--print"]:
        return 0
    command = [sys.executable, "-m", "pytest", "-n", "2", "-m", "numeric", *argv]
    os.execve(command[0], command, {**os.environ, **settings})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
