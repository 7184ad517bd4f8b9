"""The learner's loop: the watch loop (``watch/``: its keys, its file observer), what the
``katas`` command prints (``screen``), the runner, the warm pytest server, ``katas schema``,
pytest-watcher's wrapper.

Reads ``base``, ``teach`` and ``core``.
"""
