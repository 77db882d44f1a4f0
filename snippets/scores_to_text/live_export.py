"""The tiny Phi-3 for a browser: `python -m snippets.scores_to_text.live_export FOLDER`.

Writes FOLDER/tiny-phi3.onnx (the model as an ONNX graph, its weights stored in
float16) and FOLDER/tokenizer.json (the tokenizer as one JSON file). The site's build
runs it for the page "Play with the tiny model" and publishes what it wrote.
"""

# --8<-- [start:wrapper]
import torch
from transformers import Phi3ForCausalLM

from snippets.scores_to_text.train_tiny import CHECKPOINT


class NextTokenScores(torch.nn.Module):
    """Token ids in, the scores of the next token out: no cache, and the LM head
    applied to the last position only."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):  # (1, sequence)
        # Generation reads only the last position's scores, and at this size the
        # LM head (32064 x 128) is most of the work: logits_to_keep=1 skips the rest.
        out = self.model(input_ids, use_cache=False, logits_to_keep=1)
        return out.logits  # (1, 1, 32064)
# --8<-- [end:wrapper]


# --8<-- [start:export]
def export_onnx(path):
    """The model as an ONNX graph: float32, eager attention, any prompt length."""
    model = Phi3ForCausalLM.from_pretrained(
        CHECKPOINT, dtype=torch.float32, attn_implementation="eager")
    example = torch.tensor([[450, 7483, 310, 3444, 338]])  # (1, 5): any prompt
    longest = model.config.max_position_embeddings
    sequence = torch.export.Dim("sequence", max=longest)  # the prompt's length
    program = torch.onnx.export(
        NextTokenScores(model).eval(), (example,), dynamo=True, opset_version=18,
        input_names=["input_ids"], output_names=["logits"],
        dynamic_shapes=({1: sequence},), verbose=False)
    program.save(str(path))
# --8<-- [end:export]


# --8<-- [start:half]
import numpy as np
import onnx
from onnx import numpy_helper


def store_in_float16(graph_model):
    """Each float32 weight that float16 holds exactly is stored in float16, with a
    Cast back to float32 before its use: half the bytes, the very same numbers."""
    casts = []
    for weight in graph_model.graph.initializer:
        if weight.data_type != onnx.TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(weight)
        if values.ndim == 0:
            continue  # a constant: a Cast would cost more than it saves
        half = values.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), values):
            continue  # float16 would round a number: kept in float32
        name = weight.name
        weight.CopyFrom(numpy_helper.from_array(half, f"{name}.float16"))
        casts.append(onnx.helper.make_node(
            "Cast", [f"{name}.float16"], [name], to=onnx.TensorProto.FLOAT))
    nodes = list(graph_model.graph.node)
    del graph_model.graph.node[:]
    graph_model.graph.node.extend(casts + nodes)  # the casts first: nodes stay in order
    return graph_model
# --8<-- [end:half]


# --8<-- [start:tokenizer]
from transformers import AutoTokenizer


def save_tokenizer(folder, source="microsoft/Phi-3-mini-4k-instruct"):
    """The tokenizer as tokenizer.json: the pieces, their ids and every rule in one
    file, which tokenizers written in other languages read (JavaScript's here)."""
    AutoTokenizer.from_pretrained(source).save_pretrained(folder)
# --8<-- [end:tokenizer]


MODEL = "tiny-phi3.onnx"


def main(argv=None):
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the files")
    parser.add_argument("--tokenizer", default="microsoft/Phi-3-mini-4k-instruct",
                        help="a Hub id, or a folder with Phi-3's tokenizer.model")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    path = args.folder / MODEL
    export_onnx(path)
    in_float32 = path.stat().st_size
    graph_model = store_in_float16(onnx.load(path))
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, path)
    save_tokenizer(args.folder, args.tokenizer)
    print(f"{MODEL}: {in_float32 / 1e6:.1f} MB with float32 weights, "
          f"{path.stat().st_size / 1e6:.1f} MB with float16 weights")
    tokenizer_json = args.folder / "tokenizer.json"
    print(f"tokenizer.json: {tokenizer_json.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
