"""Conformance vectors: the rules as language-neutral test cases (``backable vectors``).

- ``family.py``: what a vector family is (its cases, its evaluation, its schema text).
- ``families/``: one module per rule family, each turning JSON inputs into the core's rules and
  back, and making its cases (hand-picked boundaries, seeded hypothesis draws, real blocks).
- the export, the adapter protocol (``serve``) and the runner that checks any implementation.
"""
