"""The recommended CPU recipe: Phi-3-mini with int4 matrices, greedy, 50 new tokens.

Same prompt and pipeline as the first chapter (snippets/model_example/
generate_email.py); only the weight format of the linear layers changes.
"""

# --8<-- [start:load]
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

from snippets.preflight import check_environment
from snippets.why_slow.int4_linear import Int4Linear
from snippets.why_slow.int8_linear import bytes_per_token, quantize_linears

MODEL_ID = "microsoft/Phi-3-mini-4k-instruct"
check_environment(MODEL_ID)

tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
model = AutoModelForCausalLM.from_pretrained(MODEL_ID, device_map="cpu", dtype="auto")
# --8<-- [end:load]

# --8<-- [start:quantize]
before = bytes_per_token(model)
quantize_linears(model, Int4Linear)  # the projections of all 32 layers, the LM head
after = bytes_per_token(model)
print(f"bytes read per token: {before:,} -> {after:,} ({after / before:.0%})")
# --8<-- [end:quantize]

# --8<-- [start:generate]
generator = pipeline(
    "text-generation",
    model=model,
    tokenizer=tokenizer,
    return_full_text=False,
    max_new_tokens=50,
    do_sample=False,
)
prompt = (
    "Write an email apologizing to Sarah for the tragic gardening mishap. "
    "Explain how it happened."
)
output = generator(prompt)
print(output[0]["generated_text"])
# --8<-- [end:generate]
