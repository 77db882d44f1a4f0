"""mlp_in_phi3.py checks SwiGLU against Phi3MLP and counts the parameters."""

from transformers import AutoConfig

from tests.helpers import run_script


def test_script_checks_and_counts():
    printed = run_script("snippets/inside_the_block/mlp_in_phi3.py")
    assert "same output as Phi3MLP" in printed  # printed after the assertion
    assert "activation:   silu" in printed
    counts = {line.split(":")[0].strip(): int(line.split()[-1].replace(",", ""))
              for line in printed.splitlines() if line.split()[-1][0].isdigit()}
    # the offline stand-in's sizes: three matrices of hidden x intermediate
    config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
    hidden, inter = config.hidden_size, config.intermediate_size
    assert counts["Phi-3 SwiGLU MLP, one layer"] == 3 * hidden * inter
    assert counts[f"x {config.num_hidden_layers} layers"] == (
        config.num_hidden_layers * 3 * hidden * inter)
    assert counts["ReLU MLP, 4 x hidden wide"] == 2 * hidden * 4 * hidden
    # Transformer-base (2017): 512 -> 2048 -> 512, with biases
    assert counts["Transformer-base MLP (2017)"] == 2 * 512 * 2048 + 2048 + 512
