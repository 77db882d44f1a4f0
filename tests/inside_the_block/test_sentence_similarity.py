"""Mean-pooled MiniLM embeddings rank the plant sentences above the others."""

import torch

from tests.helpers import run_script


def test_plant_sentences_rank_first():
    from snippets.inside_the_block import sentence_similarity as s

    ranked = [doc for _, doc in sorted(zip(s.cosine.tolist(), s.documents), reverse=True)]
    assert set(ranked[:2]) == {s.documents[1], s.documents[3]}
    assert s.cosine[[1, 3]].min() > 0.3 > 0.1 > s.cosine[[0, 2]].max()
    # Unit vectors: the dot product is the cosine similarity.
    torch.testing.assert_close(s.sentence_vectors.norm(dim=-1), torch.ones(5))


def test_mean_pooling_ignores_padding():
    from snippets.inside_the_block import sentence_similarity as s

    alone = s.encoder_tokenizer(s.query, return_tensors="pt")
    with torch.no_grad():
        vector = s.encoder(**alone).last_hidden_state.mean(1)[0]
    vector = torch.nn.functional.normalize(vector, dim=-1)
    torch.testing.assert_close(vector, s.sentence_vectors[0], atol=1e-5, rtol=1e-4)


def test_runs_as_a_script():
    output = run_script("snippets/inside_the_block/sentence_similarity.py")
    assert output.splitlines()[0].endswith("indirect light.")


def test_the_plant_sentences_share_no_token_with_the_question():
    """What the page says: the question's "houseplants" is house ##pl ##ants, and the
    two sentences ranked first share no token with the question at all."""
    from snippets.inside_the_block import sentence_similarity as s

    tokenize = s.encoder_tokenizer.tokenize
    assert tokenize("houseplants") == ["house", "##pl", "##ants"]
    question = set(tokenize(s.query)) - {"?"}
    for document in (s.documents[1], s.documents[3]):
        assert not question & set(tokenize(document)), document
