"""The kata harness: loads each kata as its own Django app, explains failures, shows progress.

Learners never need to read this package; maintainers start with ``katalib/plugin.py``.
"""
