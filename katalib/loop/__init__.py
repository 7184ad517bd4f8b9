"""The learner's loop: the runner, the warm pytest server, ``katas schema``, pytest-watcher's wrapper.

Reads ``base``, ``teach`` and ``core``.
"""
