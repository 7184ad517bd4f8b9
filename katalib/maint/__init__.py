"""Maintainers' proofs: ``verify`` (the two-way proof and the variants) and ``katas dev``.

Reads every layer below it (``base``, ``teach``, ``core``, ``loop``).
"""
