"""Numbers the pages index, decoder-only, residual, pre-norm and rope of
docs/inside-the-block state.

Sizes come from the configs (the 2017 model's from the snippet that builds it, Phi-3's
from tests/data on the meta device), experiment results from the snippets that run
the experiments.
"""

from __future__ import annotations

from snippets.inside_the_block import norm_placement, residual_depth, rope_properties
from snippets.inside_the_block.three_families import (
    count_parameters,
    transformer_2017,
    transformer_2017_config,
)
from tests.facts import real_size_phi3

phi3 = real_size_phi3()
phi3_config = phi3.config
t2017 = transformer_2017_config
head_dim = phi3_config.hidden_size // phi3_config.num_attention_heads
trained_2017 = count_parameters(transformer_2017, trainable_only=True)
position_tables = count_parameters(transformer_2017) - trained_2017

FACTS = {
    # 2017 Transformer-base sizes as built (Table 3 of the paper)
    "2017 d_model": str(t2017.d_model),
    "2017 d_ff": str(t2017.encoder_ffn_dim),
    "2017 head size": str(t2017.d_model // t2017.encoder_attention_heads),
    "2017 vocabulary": f"{t2017.vocab_size:,}",
    "2017 trained parameters": f"{trained_2017:,}",
    "2017 sinusoidal tables": f"{position_tables:,}",
    "2017 positions per table": str(
        transformer_2017.model.encoder.embed_positions.weight.shape[0]),
    "2017 parameters per 1,000 tokens": f"{1000 * t2017.d_model:,}",
    # Phi-3-mini
    "phi3 layers": str(phi3_config.num_hidden_layers),
    "phi3 hidden": str(phi3_config.hidden_size),
    "phi3 heads": str(phi3_config.num_attention_heads),
    "phi3 head_dim": str(head_dim),
    "phi3 intermediate": str(phi3_config.intermediate_size),
    "phi3 parameters": f"{count_parameters(phi3):,}",
    "phi3 context": str(phi3_config.max_position_embeddings),
    "phi3 resid_pdrop": str(phi3_config.resid_pdrop),
    "rope base": str(int(phi3_config.rope_parameters["rope_theta"])),
    "rope pairs": str(len(rope_properties.theta_i)),
    # experiments
    "residual depth": str(residual_depth.DEPTH),
    "residual width": str(residual_depth.WIDTH),
    "norm placement width": str(norm_placement.WIDTH),
    "norm placement deepest": str(norm_placement.DEPTHS[-1]),
}

NOT_FACTS = {
    "65": "the paper's own count for Transformer-base (about 65 M, Vaswani et al. "
          "2017, Table 3), quoted and compared with ours",
    "1,000": "an illustrative step of vocabulary size (its cost is computed above)",
    "2017": "year of 'Attention Is All You Need'",
    "2019": "year of the RMSNorm paper (Zhang and Sennrich)",
    "2020": "year of Xiong et al., 'On Layer Normalization in the Transformer "
            "Architecture'",
    "2021": "year of the RoFormer paper (Su et al.)",
}
