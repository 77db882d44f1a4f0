"""The kernels a computation runs: the evidence behind a "bit for bit" claim.

A page may say that two computations give the same bits only where the tests show why:
every operation whose result can depend on the kernel that computes it runs, in the
same order, on inputs of the same shapes, strides, storage offsets and dtypes. Then
the same kernels run on the same numbers laid out the same way, on any CPU. Where the
traces differ, the tests compare with `torch.testing.assert_close` and a tolerance
from `reordering_tolerance`. The rule and its reasons: CONTRIBUTING.md, "Bit for bit".

`kernel_trace(fn, ...)` runs `fn` under a `TorchDispatchMode` that sees every ATen
call and records the ones that can round differently from one kernel to another:
matrix products, reductions (sums, means, softmax), approximated functions (exp,
cos, silu, rsqrt, ...) and any operation not known to be exact. It leaves out what
gives one answer whatever the kernel: views and copies (they move numbers without
changing them), comparisons (max, argmax), and `+`, `-`, `*`, `/` and conversions
between dtypes, which IEEE 754 rounds correctly: one result, whatever the vector
width or the CPU.

With `sources` (a model's parameters), only calls that read the sources or what was
computed from them are recorded: the model's own arithmetic, not the position tables
or masks, which the two implementations build in different ways and the tests check
on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.weak import WeakTensorKeyDictionary

# ATen operations (overload packet names, in-place `_` dropped) whose results do not
# depend on the kernel: data movement, comparisons, and correctly rounded arithmetic.
EXACT = frozenset({
    # copies and data movement
    "clone", "copy", "contiguous", "cat", "stack", "split", "split_with_sizes",
    "chunk", "unbind", "embedding", "index", "index_select", "gather", "scatter",
    "masked_fill", "where", "fill", "zeros_like", "ones_like", "empty_like",
    "repeat", "repeat_interleave", "tril", "triu", "flip", "roll", "constant_pad_nd",
    "lift_fresh", "detach", "_unsafe_view", "expand", "_to_copy",
    # correctly rounded arithmetic (IEEE 754), one rounding each (add and sub only
    # without an alpha: x + alpha * y may be fused into one rounding or not)
    "add", "sub", "rsub", "mul", "div", "neg", "abs", "sqrt", "reciprocal",
    # comparisons and selections: no rounding
    "max", "min", "amax", "amin", "argmax", "argmin", "topk", "sort", "eq", "ne",
    "lt", "le", "gt", "ge", "isin", "maximum", "minimum",
})


def describe(value):
    """A tensor as the kernel sees it; anything else as it is."""
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape), tuple(value.stride()), value.storage_offset(),
                str(value.dtype).removeprefix("torch."))
    if isinstance(value, (list, tuple)):
        return tuple(describe(item) for item in value)
    return value


@dataclass(frozen=True)
class Call:
    """One ATen call: its name, arguments and results as `describe` gives them."""

    op: str
    inputs: tuple
    outputs: tuple

    def __str__(self):
        return f"{self.op}{self.inputs} -> {self.outputs}"


class KernelTrace(TorchDispatchMode):
    """Record the calls whose results can depend on the kernel (see the module)."""

    def __init__(self, sources=None):
        super().__init__()
        self.calls: list[Call] = []
        self.derived = None
        if sources is not None:
            self.derived = WeakTensorKeyDictionary()
            for tensor in sources:
                self.derived[tensor] = True

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        inputs = [a for a in tree_flatten((args, kwargs))[0]
                  if isinstance(a, torch.Tensor)]
        outputs = [r for r in tree_flatten(result)[0] if isinstance(r, torch.Tensor)]
        if self.derived is not None:
            if not any(tensor in self.derived for tensor in inputs):
                return result
            for tensor in outputs:
                self.derived[tensor] = True
        name = func.overloadpacket.__name__.removesuffix("_")
        rounds = any(tensor.is_floating_point() for tensor in outputs)
        exact = name in EXACT and kwargs.get("alpha", 1) == 1
        if rounds and not func.is_view and not exact:
            self.calls.append(
                Call(str(func), describe(tuple(args)), describe(tuple(outputs))))
        return result


def kernel_trace(function, *args, sources=None, **kwargs):
    """`function(*args, **kwargs)` without gradients, and the calls it made."""
    with torch.no_grad(), KernelTrace(sources) as trace:
        result = function(*args, **kwargs)
    return result, trace.calls


def differences(ours: list[Call], theirs: list[Call]) -> list[tuple]:
    """The pairs of calls that differ, in order (None where one trace is shorter)."""
    length = max(len(ours), len(theirs))
    padded = [(ours[i] if i < len(ours) else None,
               theirs[i] if i < len(theirs) else None) for i in range(length)]
    return [(a, b) for a, b in padded if a != b]


def first_difference(ours: list[Call], theirs: list[Call]) -> str:
    """A readable account of where two traces part, for assertion messages."""
    different = differences(ours, theirs)
    if not different:
        return "the traces are identical"
    a, b = different[0]
    total = max(len(ours), len(theirs))
    return (f"{len(different)} of {total} calls differ; the first:"
            f"\n  ours:   {a}\n  theirs: {b}")


def reordering_tolerance(dtype, terms: int, depth: int, magnitude: float) -> float:
    """How far apart two results may be when, on the way to them, `depth` sums of
    `terms` numbers each are added up in another order (another kernel or blocking),
    everything else equal. For a model: one reordered product per layer, depth = layers.

    A sum of n numbers computed in any order is within about n * u * (the sum of their
    magnitudes) of the exact sum (u = eps / 2, the unit roundoff: the classical bound
    gamma_n = n u / (1 - n u)), so two orders are within about n * eps of each other,
    relative to the size of what is summed. To first order, the differences of
    successive sums add up, and the result carries them relative to its own size,
    `magnitude` (the largest absolute value of the reference result). The same on
    every CPU: it depends on the dtype, the shapes and the values, not on the kernels.
    """
    return depth * terms * torch.finfo(dtype).eps * magnitude
