"""See the database: a kata's tables, columns and links, read from Django and drawn.

Why a package of its own, and not ``katalib/core/schema.py``: that module *builds* the kata apps'
tables in the test database (and switches off a kata whose tables clash). This package only
*reads* what Django would build and draws it, for the learner:

- ``meta``     the data: ``tables(models)`` reads Django's model meta (``_meta.get_fields()``,
               ``db_table``, ``column``, ``remote_field``, ``through``...) into plain dicts and
               lists (JSON-able), the one structure every drawing (and, later, the page) uses;
- ``text``     box drawing for the terminal (ASCII where the console can't print it), and the
               few-line slices the explanations show;
- ``compare``  the difference between the learner's tables and the lesson's, in words;
- ``mermaid``  the ``erDiagram`` of each kata's README (``katas dev readme``);
- ``sql``      the ``CREATE TABLE`` statements Django's schema editor would run;
- ``command``  ``katas schema``: sets Django up for one tree (katas/ or solutions/), in this
               process or a child one, and prints.

Layers: ``meta`` imports nothing of katalib; ``text``, ``compare`` and ``mermaid`` import only
``meta``; the explanations (katalib.teach.explain) may import those. Only ``command`` imports the
higher layers (katalib.core.loader for the load error a test run prints).
"""
