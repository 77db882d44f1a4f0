"""attention_in_phi3.py prints the head sizes and checks MHA, GQA and MQA."""

from tests.helpers import run_script


def test_script_checks_every_variant_against_transformers():
    printed = run_script("snippets/inside_the_block/attention_in_phi3.py")
    for kv_heads in (4, 2, 1):  # the assertions ran: the lines after them printed
        assert (f"query heads 4, key/value heads {kv_heads}: same output as "
                "Phi3Attention") in printed
    # Phi-3-medium's real config from the cache: 40 query heads share 10 KV heads
    assert "40 query heads, 10 key/value heads, head_dim 128" in printed
    qkv_proj = "(qkv_proj): Linear(in_features=5120, out_features=7680, bias=False)"
    assert qkv_proj in printed
