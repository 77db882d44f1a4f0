"""RoPE: relative positions, two layouts of one rotation, no absolute position input."""

import pytest
import torch

from tests.facts import real_size_phi3
from tests.helpers import run_script


@pytest.fixture(scope="module")
def rope():
    from snippets.inside_the_block import rope_properties

    return rope_properties


@pytest.mark.parametrize("distance", [0, 1, 3, 50])
def test_score_depends_only_on_distance(rope, distance):
    scores = [rope.rotated_score(n + distance, n) for n in (0, 7, 100, 1000)]
    torch.testing.assert_close(torch.tensor(scores), torch.full((4,), scores[0]),
                               rtol=1e-4, atol=1e-4)


def test_score_changes_with_distance(rope):
    assert abs(rope.rotated_score(3, 0) - rope.rotated_score(4, 0)) > 0.1


def test_interleaved_layout_is_a_permutation_of_rotate_half(rope):
    assert sorted(rope.to_halves.tolist()) == list(range(rope.HEAD_DIM))
    torch.testing.assert_close(rope.halves, rope.pairs[..., rope.to_halves])
    # Without the permutation the two layouts disagree.
    assert not torch.allclose(
        rope.apply_rotary(rope.x, rope.x, rope.cos, rope.sin)[0], rope.pairs, atol=1e-3)


def test_frequencies_of_phi3_mini(rope):
    from transformers.models.phi3.modeling_phi3 import Phi3RotaryEmbedding

    phi3 = real_size_phi3()
    on_cpu = Phi3RotaryEmbedding(phi3.config)  # the meta model's buffers hold no values
    torch.testing.assert_close(rope.theta_i, on_cpu.inv_freq)
    assert len(rope.theta_i) == phi3.config.hidden_size // phi3.config.num_attention_heads // 2
    assert rope.wavelength[-1] > phi3.config.max_position_embeddings


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/rope_properties.py")
    assert "same rotation: True" in output


def test_attention_without_positions_ignores_order():
    """Shuffle the tokens: same scores, shuffled (why positions must be injected)."""
    torch.manual_seed(0)
    attention = torch.nn.MultiheadAttention(16, 2, batch_first=True)
    x = torch.randn(1, 6, 16)
    shuffle = torch.randperm(6)
    out, _ = attention(x, x, x)
    shuffled_out, _ = attention(x[:, shuffle], x[:, shuffle], x[:, shuffle])
    torch.testing.assert_close(shuffled_out, out[:, shuffle])


def test_first_pair_turns_one_radian_per_token(rope):
    assert rope.theta_i[0] == 1.0
    assert len(rope.theta_i) == 48
    assert rope.wavelength[-1] > 10_000  # "tens of thousands of tokens"


def test_permuted_projection_rows_give_the_same_scores(rope):
    """Interleaved RoPE on W x equals rotate-half RoPE on (W permuted) x, in scores."""
    torch.manual_seed(0)
    hidden, d = 32, rope.HEAD_DIM
    w_q, w_k = torch.randn(d, hidden), torch.randn(d, hidden)
    tokens = torch.randn(1, 1, 7, hidden)
    positions = torch.arange(7)[None]
    q, k = tokens @ w_q.T, tokens @ w_k.T  # (1, 1, 7, d)
    scores_paper = (rope.apply_rotary_interleaved(q, positions)
                    @ rope.apply_rotary_interleaved(k, positions).transpose(-1, -2))
    q_p, k_p = tokens @ w_q[rope.to_halves].T, tokens @ w_k[rope.to_halves].T
    cos, sin = rope.rotary_cos_sin(d, positions)
    q_rot, k_rot = rope.apply_rotary(q_p, k_p, cos, sin)
    torch.testing.assert_close(q_rot @ k_rot.transpose(-1, -2), scores_paper,
                               rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_rotating_pairs_figure_plots_the_rotation(rope, language):
    """Each panel's dots are the unit vector of its pair turned by m * theta_i: on
    the unit circle, at the angle the formula gives (wrapped to (-pi, pi])."""
    figure = rope.draw_rotating_pairs(language)
    panels = figure.axes[:len(rope.PAIRS)]
    for axes, i in zip(panels, rope.PAIRS):
        dots = torch.tensor(axes.collections[0].get_offsets().data, dtype=torch.float32)
        angles = rope.POSITIONS * rope.theta_i[i]
        expected = torch.stack((angles.cos(), angles.sin()), dim=-1)
        torch.testing.assert_close(dots, expected, atol=1e-5, rtol=0)
    titles = [axes.get_title() for axes in panels]
    assert rope.LABELS[language]["fastest"] in titles[0]
    assert rope.LABELS[language]["slowest"] in titles[-1]
