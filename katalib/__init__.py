"""The kata harness: loads each kata as its own Django app, explains failures, shows progress.

Learners never need to read this package. For maintainers, its layers, lowest first (each
imports only its own layer and those before it: ``katalib.base.repo.LAYERS``, proven by
tests/maint/test_layout.py)::

    web/     katas web build: the browser runner's static site   (packs every layer below)
    grade/   python -m katalib.grade: the grader, its audit hook, jail, canaries, template
    maint/   python -m katalib.verify (the two-way proof, the variants), katas dev
    loop/    the learner's loop: watch/ (keys, file observer), screen (what katas prints),
             runner, warm pytest server, katas schema, pytest-watcher
    core/    what pytest loads: plugin (hooks, --solutions), apps, loader, schema, probe/
             (parent, child, verdicts), tidy; and what kata tests import: answers, testcase
    teach/   what teaches: explain/ (rules by subject), drawing/, hints, focus, progress,
             report, sql (the queries kata code ran)
    base/    facts: manifest (katas.toml), repo (file lists, kata names, these layers), marks
             (and the progress State), cache (where pytest's cache is), places, seed, junit,
             checksums, reset

At the top: ``cli.py`` (the ``katas`` command, over every layer), ``__main__.py`` and the
commands kept by their documented names (``python -m katalib.checksums``, ``.report``,
``.verify``, ``.watch``), each a few lines that call into a layer.

How a run flows: ``pytest`` loads ``core.plugin`` (pyproject's ``-p``); settings.py asks
``core.apps`` for one app per kata, whose files ``core.probe`` loads in a child process
first; the kata tests get their models through ``core.loader``'s fixtures; a failure goes
through ``teach.explain`` (❌ what / ✅ fix) and ``teach.focus``; at the end ``teach.progress``
records what passed on which files, and the plugin prints the table with ``base.marks``.
``katas`` (``cli`` → ``loop.watch`` → ``loop.runner`` → ``loop.warm``) repeats that run on
every save.
"""
