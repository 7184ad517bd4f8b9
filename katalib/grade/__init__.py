"""Grading copies without trusting them: ``python -m katalib.grade``.

Reads every layer below it; only the ``katas`` command and the browser build are above. Its
modules::

    cli        the command: argparse, ``merge`` (shards), ``template``
    grader     grade_fork / grade_all: one copy through the steps below, or many in parallel
    upstream   the pristine repository and its test ids (collected once)
    learner    the copy: a folder or a clone, its student, last commit, what it changed
    trees      which files count, their digests, what differs (shared with ``template``)
    scan       a kata file read before it runs; is it the published solution?
    staging    the scratch tree: the upstream's files, the learner's kata files, the canaries
    canary     the must-fail copies of the tests
    running    pytest in its own process group, fenced in by ``jail`` and ``guard``
    jail       no network, resource limits, no secrets (the OS around the run)
    guard      the audit hook inside the run (and ``--record`` of the events honest runs raise)
    verdict    outcomes, the canaries' word, each kata's grade; typed flags and grades
    outputs    the teacher's CSV and Markdown, the learner's summary, annotations, merge
    template   the students' repository (``python -m katalib.grade template``)

Each FORK is a local folder or a git URL (cloned with ``git clone --depth 1``). A copy is graded
against a pristine tree, never against its own harness:

1. The pristine tree is the upstream (``upstream``; ``--upstream PATH``, default: the checkout
   this package comes from): its harness (``katalib/``), ``conftest.py``, ``settings.py``,
   ``pyproject.toml``, ``katas.toml`` and ``katas/`` (the tests and the given files).
2. Into a scratch copy of it (``staging``) go ONLY the learner's editable files of each kata,
   as the upstream's ``katas.toml`` names them (``files = [...]``). Nothing else of the copy is used:
   not its tests, its pytest configuration, its conftest files, its checksum list or its harness.
3. pytest runs there in a subprocess (``running``; ``-p no:cacheprovider``, ``--kata-results``,
   ``--junitxml``), with a time limit per copy.
4. Beside each kata's test files go their **must-fail canaries** (``katalib/grade/canary.py``): the
   same tests, in a module named at random for this run (``test_<12 hex digits>.py``), with
   the expected side of every ``assert a == b`` corrupted (``"Alice"`` -> ``"Alice#3fa9c1d2"``,
   a number shifted, one more element; in the source for a literal, at run time otherwise),
   and each test failing unless such an assert held. Honest code fails every canary; a patched
   pytest report, an answer equal to anything or an answer read from the running test (frame,
   constants, source) passes them as it passes the tests. A canary that did not fail (passed,
   or did not run) flags the copy, naming it, and no kata of that run counts.
5. The run's test data is redrawn (``katalib/base/seed.py``): every name and title the tests give
   the kata code, and every answer they expect, is spelt from a seed drawn for this copy
   (``"Alice"`` -> ``"A3l7i0c5e1"``; ``--seed`` repeats a run, the JSON records it), so
   canned answers for the public data fail while every honest solution passes.
6. A kata is solved (``verdict``) only when every test id that the upstream's tests define for it (collected
   once with ``--collect-only``) passed, every canary failed, and the harness's results agree
   (its counts include the canaries).
7. Everything else the copy changed (compared with the upstream: edited tests, a new
   ``pytest.ini`` or ``conftest.py``, pytest options in ``pyproject.toml``, ...) is listed as
   *changed outside the kata files* (``learner``, ``trees``). It has no effect on the grade, which never used it. Both
   sides are the files git would track (``git ls-files --cached --others --exclude-standard``;
   a plain folder through a throwaway repository, so its ``.gitignore`` files count), less any
   folder with a ``pyvenv.cfg`` (a virtualenv, whatever its name: ``env/``, ``.v/``) and
   generated names (``IGNORED_NAMES``).
8. A kata file is read before it runs (``scan``). One that imports pytest or anything outside a small
   allowlist, reaches for the interpreter's internals (``__import__``, ``sys.modules``,
   ``TestReport``, ``pytest_*`` hooks, ``open``, ``eval``...), changes what it imported, or
   defines special methods such as ``__eq__`` (an answer equal to anything), is flagged and
   never run (the stub stays in its place), and its kata is not counted as solved. A run that
   changed the scratch tree's harness or tests anyway is flagged too, and then no kata counts.
9. The run is fenced in (``katalib/grade/guard.py``, ``katalib/grade/jail.py``; the JSON's
   ``environment.sandbox`` says what was applied). An audit hook (PEP 578), loaded before any
   kata file (``-p kata_guard``: the grader's own) and not removable from Python, ends the run
   at the first event that honest runs of every kata never raised (``guard_events.json``, recorded
   by ``python -m katalib.grade.record``): ``gc`` object access, a kata file's own code
   writing a function's ``__code__``, subprocesses, forks, sockets, ``ctypes``,
   files changed outside the copy's scratch folder, and the like, from any thread. The copy is
   flagged ``refused <event>`` at the kata file and line (when a kata frame is on that
   thread's stack) and no kata of it counts. Around the run, where the platform allows: no
   network (Linux: ``unshare --user --net --map-root-user``; not when ``DATABASE_URL`` names a
   database server, nor where unprivileged namespaces are forbidden), limits on CPU time,
   address space, processes and file size (POSIX: a kata that allocates or writes too much
   fails its own tests), and everywhere an environment of allowlisted variables without
   tokens or secrets and a throwaway ``HOME``.

A kata file that is the upstream's published solution (``solutions/<kata>/<file>``: the same
``ast.dump`` once docstrings are dropped, so comments and formatting aside) is listed in
``matches_solution`` (📋 in the tables): a note for the teacher, not a fail. A students'
repository made with ``template`` has no ``solutions/``, so grade with the teacher's checkout.

Not enforced: reading files (the run can read whatever the grading user can), what has no
audit event (attribute writes on modules, classes and instances, reading frames or
``sys.modules``: the canaries answer those), the network on macOS and Windows, resource limits
on Windows. So still grade in a container or on a throwaway machine (the classroom workflow
uses a fresh runner per shard).
"""
