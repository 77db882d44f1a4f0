"""Post-norm: the last layer's gradient ignores depth; pre-norm: it shrinks ~1/sqrt(L)."""

from tests.helpers import run_script


def test_post_norm_last_layer_gradient_does_not_depend_on_depth():
    from snippets.inside_the_block import norm_placement as n

    post = n.gradients["post"]
    assert max(post) / min(post) < 1.5


def test_pre_norm_last_layer_gradient_shrinks_like_one_over_sqrt_depth():
    from snippets.inside_the_block import norm_placement as n

    pre = n.gradients["pre"]
    assert pre[-1] < 0.35 * pre[0]
    assert all(later < earlier * 1.1 for earlier, later in zip(pre, pre[1:]))
    predicted = pre[0] / n.DEPTHS[-1] ** 0.5
    assert 0.5 < pre[-1] / predicted < 2
    # The page: it shrinks, but by less than 1/sqrt(L) predicts (an upper bound).
    assert 1 < pre[0] / pre[-1] < n.DEPTHS[-1] ** 0.5


def test_same_start_for_one_layer():
    from snippets.inside_the_block import norm_placement as n

    # One block: both placements see the same input scale; only depth separates them.
    assert abs(n.gradients["post"][0] / n.gradients["pre"][0] - 1) < 0.2


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/norm_placement.py")
    assert output.startswith("post-norm:")


def test_biases_are_as_the_comment_says():
    """Attention's biases start at zero; the feed-forward ones keep nn.Linear's init."""
    import torch

    from snippets.inside_the_block import norm_placement as n

    torch.manual_seed(0)
    block = n.Block("pre")
    assert not block.attention.in_proj_bias.any()
    assert not block.attention.out_proj.bias.any()
    for linear in (block.feed_forward[0], block.feed_forward[2]):
        bound = 1 / linear.in_features**0.5  # nn.Linear's default: U(-bound, bound)
        assert linear.bias.abs().max() <= bound and linear.bias.any()
