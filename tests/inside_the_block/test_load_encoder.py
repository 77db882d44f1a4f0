"""The encoder loads offline from the pip package, with its real weights."""

from transformers import BertModel

from tests.helpers import run_script


def test_encoder_is_the_real_minilm():
    from snippets.inside_the_block.load_encoder import ENCODER_DIR, encoder

    assert (ENCODER_DIR / "model.safetensors").is_file()
    assert isinstance(encoder, BertModel)
    assert encoder.config.num_hidden_layers == 6 and encoder.config.hidden_size == 384
    assert not encoder.training  # eval(): dropout off, outputs deterministic
    weight = encoder.embeddings.word_embeddings.weight
    assert weight.device.type == "cpu" and weight.abs().sum() > 0  # real, not meta


def test_runs_as_a_script():
    run_script("snippets/inside_the_block/load_encoder.py")
