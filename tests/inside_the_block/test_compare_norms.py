"""compare_norms.py shows equality; the assertions live in test_rmsnorm.py too."""

from tests.helpers import run_script


def test_prints_true_twice():
    output = run_script("snippets/inside_the_block/compare_norms.py")
    assert output.splitlines() == [
        "RMSNorm == Phi3RMSNorm: True",
        "layer_norm == nn.LayerNorm: True",
    ]
