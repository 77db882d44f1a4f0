"""compare_norms.py shows equality; the assertions live in test_rmsnorm.py too."""

from tests.helpers import run_script
from tests.kernels import first_difference, kernel_trace


def test_prints_true_twice():
    output = run_script("snippets/inside_the_block/compare_norms.py")
    assert output.splitlines() == [
        "RMSNorm == Phi3RMSNorm: True",
        "layer_norm == nn.LayerNorm: True",
    ]


def test_rmsnorms_run_the_same_kernels():
    """Why the page can say "the same bits": the same calls on the same layouts."""
    from snippets.inside_the_block import compare_norms as c

    _, ours = kernel_trace(c.our_norm.bfloat16(), c.x)
    _, theirs = kernel_trace(c.phi3_norm.bfloat16(), c.x)
    assert ours and ours == theirs, first_difference(ours, theirs)
