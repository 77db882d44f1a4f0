"""The KV cache page: our cache = no cache = transformers' DynamicCache, and the
sliding window keeps one key less than the window."""

from snippets.scores_to_text.train_tiny import tiny_config
from tests.helpers import run_script


def test_runs_as_a_script_and_every_check_passes():
    printed = run_script("snippets/scores_to_text/kv_cache_in_use.py")
    layers = tiny_config().num_hidden_layers
    assert "last position, with cache = without: True" in printed
    assert f"DynamicSlidingWindowLayer x {layers}" in printed
    assert "transformers' keys and values = ours, in every layer" in printed
    assert "| keys kept: 3" in printed  # window 4: the next token sees 3 + itself
    assert "ms/token" in printed
