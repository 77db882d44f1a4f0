"""Without residual connections the gradient size swings by orders of magnitude."""

from tests.helpers import run_script


def spread(norms):
    return max(norms) / min(norms)


def test_residual_keeps_gradients_within_two_orders():
    from snippets.inside_the_block import residual_depth as r

    assert len(r.with_residual) == len(r.without_residual) == r.DEPTH == 32
    assert spread(r.with_residual) < 100
    assert spread(r.without_residual) > 10_000
    # Without residuals the first layer gets by far the largest gradient.
    assert r.without_residual[0] > 1_000 * r.without_residual[-1]


def test_same_result_for_other_seeds():
    from snippets.inside_the_block.residual_depth import gradient_per_layer

    for seed in (1, 2):
        assert spread(gradient_per_layer(True, seed=seed)) < 100
        assert spread(gradient_per_layer(False, seed=seed)) > 10_000


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/residual_depth.py")
    assert "largest / smallest" in output


def test_about_half_again_per_block_without_residual():
    from snippets.inside_the_block import residual_depth as r

    first, last = r.without_residual[0], r.without_residual[-1]
    per_block = (first / last) ** (1 / (r.DEPTH - 1))
    assert 1.3 < per_block < 1.7  # "grows by about half at every block"
    assert last == min(r.without_residual)
    assert 1e5 <= spread(r.without_residual) < 1e6  # "five orders of magnitude"
    assert 10 <= spread(r.with_residual) < 100  # "a little more than one order"
