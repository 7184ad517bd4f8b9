"""Grading copies without trusting them: ``python -m katalib.grade`` (the grader), the audit
hook (``guard``), the operating-system jail, the canaries and the students' template.

Reads every layer below it; only the ``katas`` command and the browser build are above.
"""
