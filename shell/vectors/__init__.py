"""Conformance vectors: the rules as language-neutral test cases (``backable vectors``).

- ``family.py``: what a vector family is (its cases, its evaluation, its schema text).
- ``families/``: one module per rule family, each turning JSON inputs into the core's rules and
  back, and making its cases (hand-picked boundaries, seeded hypothesis draws, real blocks).
- ``build.py``, ``drawing.py``, ``chain.py``: what families share to make their cases (the
  formula parameter and stand-in cores, seeded hypothesis draws, the six real blocks).
- ``files.py``, ``export.py``: the vectors folder (``index.json``, one file per family) and
  writing it, the same bytes every time.
- ``protocol.py``, ``serve.py``: the adapter protocol's JSON lines and this project's adapter.
- ``adapter.py``, ``runner.py``, ``report.py``: running every case through any adapter process,
  comparing field by field, and the report.
- ``docs.py``: the families' part of docs/vectors.md, rendered from their schemas.
"""
