"""Three Transformer families as real module trees: encoder-decoder, encoder, decoder.

The 2017 Transformer and Phi-3 are built on the meta device from their sizes (module
trees and parameter counts, no weights); the encoder is a real checkpoint.
"""

from snippets.inside_the_block.load_encoder import encoder

# --8<-- [start:setup]
import torch
from transformers import AutoConfig, AutoModelForCausalLM, MarianConfig, MarianMTModel


def count_parameters(model, trainable_only=False):
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )
# --8<-- [end:setup]


# --8<-- [start:encoder-decoder]
# Transformer-base from "Attention Is All You Need" (2017), Table 3, in the shape of
# transformers' Marian models: post-norm layers, sinusoidal positions, one shared
# vocabulary for source and target.
transformer_2017_config = MarianConfig(
    vocab_size=37000,  # the paper's shared English-German BPE vocabulary, about 37k
    d_model=512,
    encoder_layers=6,
    decoder_layers=6,
    encoder_attention_heads=8,
    decoder_attention_heads=8,
    encoder_ffn_dim=2048,
    decoder_ffn_dim=2048,
    activation_function="relu",  # the paper's feed-forward uses ReLU
    max_position_embeddings=512,
    share_encoder_decoder_embeddings=True,  # one embedding matrix for both sides...
    tie_word_embeddings=True,  # ...which is also the output projection
    pad_token_id=0,
    eos_token_id=1,
    decoder_start_token_id=0,
    forced_eos_token_id=1,
)
with torch.device("meta"):  # shapes only, no memory
    transformer_2017 = MarianMTModel(transformer_2017_config)
print(transformer_2017)
print(f"parameters: {count_parameters(transformer_2017):,}")
trained = count_parameters(transformer_2017, trainable_only=True)
print(f"trained parameters: {trained:,}")
# --8<-- [end:encoder-decoder]

# --8<-- [start:encoder-only]
print(encoder)
print(f"parameters: {count_parameters(encoder):,}")
# --8<-- [end:encoder-only]

# --8<-- [start:decoder-only]
phi3_config = AutoConfig.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
with torch.device("meta"):
    phi3 = AutoModelForCausalLM.from_config(phi3_config)
print(phi3)
print(f"parameters: {count_parameters(phi3):,}")
# --8<-- [end:decoder-only]
