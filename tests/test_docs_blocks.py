"""The page reader behind the docs tests: fences, markers and continued blocks."""

from tools.docs_blocks import code_blocks, scan_fences

PAGE = """\
```python
x = 1
```

```text title="Output"
1
```

<!--pytest.mark.skip(reason="starts a server")-->
```sh
make serve
```

<!--pytest-codeblocks:cont-->
```python
print(x)
```

```python title="ignored.py"
y = 2
```
"""


def test_fences_and_their_markers():
    fences = scan_fences(PAGE)
    assert [f.info for f in fences] == [
        "python", 'text title="Output"', "sh", "python", 'python title="ignored.py"']
    assert fences[2].skip_reason_given and fences[3].is_continuation
    assert [f.is_python for f in fences] == [True, False, False, True, True]


def test_continuation_joins_the_previous_block_of_its_language():
    blocks = code_blocks(scan_fences(PAGE))
    assert [(b.syntax, b.code, n) for b, n in blocks] == [
        ("python", "x = 1\nprint(x)\n", 2),
        ("sh", "make serve\n", 1),
    ]
    assert blocks[1][0].marks == ['pytest.mark.skip(reason="starts a server")']


def test_a_marker_must_stand_directly_above_its_fence():
    fences = scan_fences("<!--pytest-codeblocks:cont-->\nSome prose.\n```python\nx\n```\n")
    assert not fences[0].is_continuation
