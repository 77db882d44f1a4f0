"""live_export.py writes the tiny Phi-3 as an ONNX graph whose weights are stored in
float16, and its tokenizer as tokenizer.json; storing in float16 changes no number.

The browser runs the graph in tests/site/test_live_in_browser.py; here, the file
itself, and the graph against PyTorch with ONNX's own reference implementation
(numpy, operator by operator): the export computes what the model computes.
"""

from __future__ import annotations

import re

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import AutoTokenizer, Phi3ForCausalLM

from snippets.scores_to_text import live_export
from snippets.scores_to_text.train_tiny import CHECKPOINT
from tests.helpers import run_script
from tests.kernels import reordering_tolerance
from tools import live_model
from tools.paths import ROOT

PROMPT = "The capital of France is"


@pytest.fixture(scope="module")
def exported():
    """The folder the script wrote, run as the site's build runs it
    (tools/live_model.py: `python -m snippets.scores_to_text.live_export FOLDER`),
    once for the suite and the build: into the cache named by its inputs."""
    folder = live_model.build()
    if folder is None:
        pytest.skip("no Phi-3 tokenizer to export with (tools/live_model.py)")
    return folder, (folder / live_model.LOG).read_text("utf-8")


def test_runs_as_a_script():
    """Its command line, as a reader runs it (the export itself runs above)."""
    printed = run_script("snippets/scores_to_text/live_export.py", "--help")
    assert "usage:" in printed and "folder" in printed and "--tokenizer" in printed


@pytest.fixture(scope="module")
def graph(exported):
    return onnx.load(exported[0] / live_export.MODEL)


def test_the_export_halves_the_file(exported):
    folder, printed = exported
    sizes = [float(mb) for mb in re.findall(r"([\d.]+) MB with float", printed)]
    assert len(sizes) == 2 and sizes[1] < 0.55 * sizes[0], printed
    assert (folder / "tokenizer.json").is_file()
    assert (folder / "tokenizer_config.json").is_file()


def test_one_input_of_any_length_and_the_next_token_s_scores(graph):
    onnx.checker.check_model(graph)
    (given,), (returned,) = graph.graph.input, graph.graph.output
    assert given.name == "input_ids" and returned.name == "logits"
    batch, sequence = given.type.tensor_type.shape.dim
    assert batch.dim_value == 1 and sequence.dim_param  # a symbol: any length
    assert given.type.tensor_type.elem_type == TensorProto.INT64
    dims = [d.dim_value for d in returned.type.tensor_type.shape.dim]
    assert dims == [1, 1, 32064]


def test_every_weight_float16_holds_is_stored_in_float16_and_cast_back(graph):
    halves = {w.name for w in graph.graph.initializer
              if w.data_type == TensorProto.FLOAT16}
    casts = {node.input[0]: node.output[0] for node in graph.graph.node
             if node.op_type == "Cast"}
    assert halves and halves <= set(casts)
    for weight in graph.graph.initializer:  # what stays in float32 had to
        if weight.data_type == TensorProto.FLOAT:
            values = numpy_helper.to_array(weight)
            assert values.ndim == 0 or not np.array_equal(
                values.astype(np.float16).astype(np.float32), values), weight.name
    # the token table, the largest weight: the checkpoint's float16 numbers
    table = max(graph.graph.initializer, key=lambda w: np.prod(w.dims))
    stored = load_file(ROOT / CHECKPOINT / "model.safetensors")
    embedding = next(v for k, v in stored.items() if k.endswith("embed_tokens.weight"))
    assert table.data_type == TensorProto.FLOAT16
    assert np.array_equal(numpy_helper.to_array(table), embedding.numpy())


def test_the_graph_computes_the_model_s_scores(graph):
    """ONNX's reference implementation (numpy) runs the graph: the scores PyTorch
    computes, within float32 sums added in another order (the bound the browser
    test derives too: the widest product, six products a layer and the LM head)."""
    tokenizer = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
    model = Phi3ForCausalLM.from_pretrained(ROOT / CHECKPOINT, dtype=torch.float32)
    ids = tokenizer(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        expected = model(ids).logits[:, -1:]
    (logits,) = ReferenceEvaluator(graph).run(None, {"input_ids": ids.numpy()})
    config = model.config
    tolerance = reordering_tolerance(
        torch.float32, max(config.hidden_size, config.intermediate_size),
        6 * config.num_hidden_layers + 1, expected.abs().max().item())
    torch.testing.assert_close(torch.from_numpy(logits), expected, rtol=0,
                               atol=tolerance)


def test_the_tokenizer_json_gives_python_s_ids(exported):
    folder, _ = exported
    ours = Tokenizer.from_file(str(folder / "tokenizer.json"))
    theirs = AutoTokenizer.from_pretrained("microsoft/Phi-3-mini-4k-instruct")
    for text in (PROMPT, "  two  spaces", "词元 🙂"):
        assert ours.encode(text).ids == theirs(text).input_ids, text


def test_storing_in_float16_keeps_every_number():
    """On a small graph: a weight float16 holds (stored in float16), one it would
    round and a constant (both kept): the same outputs, to the bit."""
    exact = np.array([[1.0, 0.5], [-2.0, 65504.0]], np.float32)
    rounded = np.array([0.1, 1.0], np.float32)  # 0.1 is no float16 number
    scalar = np.array(3.0, np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "exact"], ["y"]),
         helper.make_node("Add", ["y", "rounded"], ["z"]),
         helper.make_node("Mul", ["z", "scalar"], ["out"])],
        "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(exact, "exact"),
         numpy_helper.from_array(rounded, "rounded"),
         numpy_helper.from_array(scalar, "scalar")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    x = np.array([[0.3, -1.7]], np.float32)
    before = ReferenceEvaluator(model).run(None, {"x": x})[0]
    halved = onnx.ModelProto()
    halved.CopyFrom(model)
    live_export.store_in_float16(halved)
    onnx.checker.check_model(halved)
    kinds = {w.name: w.data_type for w in halved.graph.initializer}
    assert kinds == {"exact.float16": TensorProto.FLOAT16,
                     "rounded": TensorProto.FLOAT, "scalar": TensorProto.FLOAT}
    assert [n.op_type for n in halved.graph.node] == ["Cast", "MatMul", "Add", "Mul"]
    assert np.array_equal(ReferenceEvaluator(halved).run(None, {"x": x})[0], before)
