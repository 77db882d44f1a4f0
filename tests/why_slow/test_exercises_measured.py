"""exercises_measured.py: one thread's bandwidth (the machine's figure: its form is
tested), and the positions computed with and without the KV cache."""

from __future__ import annotations

import re

import pytest

from bench.common import NEW_TOKENS, PROMPT
from tests.helpers import run_script

pytestmark = pytest.mark.real_tokenizer  # the prompt is counted in real token ids


@pytest.fixture(scope="module")
def snippet():
    import snippets.why_slow.exercises_measured as snippet

    return snippet


@pytest.fixture(scope="module")
def printed():
    return run_script("snippets/why_slow/exercises_measured.py").splitlines()


def test_one_thread_is_measured_as_a_share(printed):
    assert re.fullmatch(r"1 thread: [\d.]+ GB/s, \d+% of \d+ threads'", printed[0])


def test_the_prompt_and_tokens_are_the_benchmarks(snippet):
    assert (snippet.prompt, snippet.new_tokens) == (PROMPT, NEW_TOKENS)


def test_without_the_cache_every_step_runs_the_whole_text(snippet, printed):
    p, n = snippet.prompt_tokens, snippet.new_tokens
    assert printed[1] == f"{p} prompt tokens, {n} new tokens"
    assert snippet.without == n * p + n * (n - 1) // 2  # p, p + 1, ..., p + n - 1
    assert printed[2] == (f"positions computed with the cache: {p + n - 1:,}, "
                          f"without: {snippet.without:,}")
