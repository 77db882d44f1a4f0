"""Numbers the pages index, decoder-only, residual, pre-norm and rope of
docs/inside-the-block state.

Sizes come from the configs (the 2017 model's from the snippet that builds it, Phi-3's
from tests/data on the meta device), experiment results from the snippets that run
the experiments.
"""

from __future__ import annotations

import re

from transformers.models.marian.modeling_marian import MarianAttention

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
# Marian's attention projections have biases; the paper's attention has none.
attention_biases_2017 = sum(
    parameter.numel() for name, parameter in transformer_2017.named_parameters()
    if re.search(r"attn\.(q|k|v|out)_proj\.bias$", name))
attentions_2017 = sum(isinstance(m, MarianAttention) for m in transformer_2017.modules())
# The residual spread over the seeds the tests run (tests/.../test_residual_depth.py).
RESIDUAL_SEEDS = (0, 1, 2)
residual_spreads = [
    max(norms) / min(norms)
    for norms in (residual_depth.gradient_per_layer(True, seed=seed)
                  for seed in RESIDUAL_SEEDS)]
pre_norm = norm_placement.gradients["pre"]

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
    "2017 build: attention modules": str(attentions_2017),
    "2017 build: attention bias parameters": f"{attention_biases_2017:,}",
    "2017 build: trained parameters without attention biases":
        f"{trained_2017 - attention_biases_2017:,}",
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
    "rope figure: last position": str(rope_properties.POSITIONS[-1].item()),
    "rope figure: slowest pair": str(rope_properties.PAIRS[-1]),
    # experiments
    "residual depth": str(residual_depth.DEPTH),
    "residual width": str(residual_depth.WIDTH),
    "norm placement width": str(norm_placement.WIDTH),
    "norm placement deepest": str(norm_placement.DEPTHS[-1]),
    "residual spread with the residual, smallest over the seeds":
        f"{min(residual_spreads):.0f}",
    "residual spread with the residual, largest over the seeds":
        f"{max(residual_spreads):.0f}",
    "pre-norm: measured shrink factor from 1 to the deepest stack":
        f"{pre_norm[0] / pre_norm[-1]:.1f}",
    "pre-norm: shrink factor 1/sqrt(L) predicts at the deepest stack":
        f"{norm_placement.DEPTHS[-1] ** 0.5:.1f}",
    "post-norm's last-layer gradient over pre-norm's at the deepest stack":
        f"{norm_placement.gradients['post'][-1] / pre_norm[-1]:.1f}",
}
# Chinese pages write numbers below 100000 without thousands separators
FACTS.update({f"{name} (zh)": FACTS[name].replace(",", "") for name in [
    "2017 vocabulary", "2017 build: attention bias parameters"]})

NOT_FACTS = {
    "65": "the paper's own count for Transformer-base (about 65 M, Vaswani et al. "
          "2017, Table 3), quoted and compared with ours",
    "6500": "the paper's 65 M written in 万 on the Chinese page (约 6500 万)",
    "3.2": "section 3.2.2 of 'Attention Is All You Need' (a section number)",
    "5.1": "section 5.1 of 'Attention Is All You Need' (a section number)",
    "2.2": "section 2.2 of the Llama 2 paper (a section number)",
    "2023": "year of the Llama 2 paper (Touvron et al.)",
    "2022": "year of Haviv et al., 'Transformer Language Models without Positional "
            "Encodings Still Learn Positional Information'",
    "2017": "year of 'Attention Is All You Need'",
    "2019": "year of the RMSNorm paper (Zhang and Sennrich) and of Wang et al.",
    "2020": "year of Xiong et al., 'On Layer Normalization in the Transformer "
            "Architecture', and of GPT-3 (Brown et al.)",
    "2021": "year of the RoFormer paper (Su et al.)",
}
