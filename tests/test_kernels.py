"""tests/kernels.py: what a kernel trace records and what it leaves out."""

import torch

from tests.kernels import differences, kernel_trace, reordering_tolerance


def test_a_transposed_copy_is_another_layout_for_the_same_product():
    a, b = torch.randn(3, 5), torch.randn(4, 5)
    _, as_view = kernel_trace(torch.mm, a, b.t())
    _, as_copy = kernel_trace(torch.mm, a, b.t().contiguous())
    assert [call.op for call in as_view] == ["aten.mm.default"]
    ((view, copy),) = differences(as_view, as_copy)
    assert view.inputs[1] == ((5, 4), (1, 5), 0, "float32")
    assert copy.inputs[1] == ((5, 4), (4, 1), 0, "float32")


def test_exact_operations_are_left_out():
    x, y = torch.randn(2, 3), torch.randn(2, 3)

    def exact():
        z = (x + y) * 2 - x / 3
        return torch.cat([z, -z]).to(torch.bfloat16).max()

    _, calls = kernel_trace(exact)
    assert calls == []
    _, calls = kernel_trace(lambda: torch.add(x, y, alpha=0.5).exp().sum())
    assert [call.op for call in calls] == [
        "aten.add.Tensor", "aten.exp.default", "aten.sum.default"]


def test_with_sources_only_what_comes_from_them():
    weight, other = torch.randn(3, 3), torch.randn(3, 3)

    def both():
        unrelated = other.exp()  # not computed from the weight: left out
        return (weight @ unrelated).softmax(-1)

    _, calls = kernel_trace(both, sources=[weight])
    assert [call.op for call in calls] == ["aten.mm.default", "aten._softmax.default"]


def test_reordering_tolerance():
    eps = torch.finfo(torch.float32).eps
    assert reordering_tolerance(torch.float32, terms=12, depth=3, magnitude=0.5) == (
        3 * 12 * eps * 0.5)
