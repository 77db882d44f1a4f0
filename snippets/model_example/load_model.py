"""Load Phi-3-mini and its tokenizer on the CPU.

The other examples of this chapter start with `from ... load_model import model`, and
their pages show this code in full instead.
"""

# --8<-- [start:load]
from transformers import AutoModelForCausalLM, AutoTokenizer

from snippets.preflight import check_environment

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
check_environment(MODEL_ID)  # stops early, with a short reason, if it can't run

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
model = AutoModelForCausalLM.from_pretrained(
    MODEL_ID,
    device_map="cpu",  # put every weight on the CPU
    dtype="auto",  # the checkpoint's bfloat16: half the memory of float32
)  # no trust_remote_code: transformers has its own Phi-3 implementation
# --8<-- [end:load]
