"""What teaches: explanations by subject, the schema drawings, hints, focus, progress, the report.

Reads ``katalib.base``; never imports the plugin, the loop, the maintainers' tools or the grader.
"""
