"""The child: load each kata file once, under the time limit, and report every step.

Two kinds of child. On POSIX, ``forked()`` runs in a ``fork()`` of pytest taken while Django
imports the first kata's models (``katalib.core.probe.parent``): Python, Django and its own apps
are loaded already, so only the kata files are left to load. Elsewhere ``main()`` runs in a
fresh ``python -m katalib.core.probe <job.json>`` (``__main__.py``), which sets Django up on the
katas first. Either way each file loads in ``_guarded``: a ``start`` line goes to the protocol
file before it, an ``end`` line with its verdict after it, so whatever kills the child the
parent knows which file it was loading; faulthandler's dump (a hang, a crash) and the
``os._exit`` spy give the line. The child's own output is discarded.
"""

from __future__ import annotations

import faulthandler
import functools
import gc
import importlib
import json
import linecache
import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import NoReturn

from katalib.base import manifest, places
from katalib.core.probe.verdicts import describe

# This process's state when it is a probe child (set by ``_begin_child``), else None.
_child: SimpleNamespace | None = None


def in_child() -> bool:
    """Is this process a probe child? (``KataConfig`` then loads through ``load_models``.)"""
    return _child is not None


def _emit(**event) -> None:
    assert _child is not None
    _child.protocol.write(json.dumps(event) + "\n")
    _child.protocol.flush()


def _begin_child(job: dict) -> SimpleNamespace:
    """Both kinds of child: the state, the crash and time-out reports, the os._exit spy."""
    global _child
    real_exit = os._exit
    _child = child = SimpleNamespace(
        protocol=open(job["protocol"], "a", encoding="utf-8"),  # noqa: SIM115 - until _exit
        faults=open(job["faults"], "w", encoding="utf-8"),  # noqa: SIM115
        timeout=float(job["timeout"]),
        katas=job["katas"],
        judged={tuple(pair) for pair in job["judged"]},
        loaded_models=set(),
        real_exit=real_exit,
        current=None,
    )
    faulthandler.enable(file=child.faults, all_threads=True)

    def recording_exit(status: int = 0) -> NoReturn:
        tree = _tree_of(child.current[0]) if child.current else manifest.ROOT
        frames = []
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            name, number = frame.f_code.co_filename, frame.f_lineno
            frames.append((name, number, linecache.getline(name, number)))
            frame = frame.f_back
        _emit(event="os_exit", code=status, where=places.of_frames(frames[::-1], tree))
        real_exit(status)

    os._exit = recording_exit
    return child


def main(job_path: str) -> None:
    """``python -m katalib.core.probe <job.json>``: set up Django on the katas and load their
    files."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends the child; pytest stops the run
    child = _begin_child(json.loads(Path(job_path).read_text(encoding="utf-8")))
    try:
        import django

        django.setup()  # KataConfig.import_models calls load_models (below) for each kata
    except BaseException:  # noqa: BLE001 - report anything, then end
        _emit(event="setup_failed", error=traceback.format_exc())
        child.real_exit(2)
    _load_other_files()


def forked(job: dict) -> None:
    """A fork of pytest, made while Django imports the first kata's models: Django and its own
    apps are loaded already, so only the kata files are left to load."""
    from django.apps import AppConfig, apps

    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # not into pytest's captured output
        os.dup2(null, fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends the child; pytest stops the run
    gc.disable()  # no finalizer of pytest's objects may run in here
    child = _begin_child(job)
    for label in child.katas:
        config = apps.get_app_config(label)
        load_models(config, functools.partial(AppConfig.import_models, config))
    for config in apps.get_app_configs():  # the katas pytest has yet to load, left out here
        if config.models is None:
            config.models = apps.all_models[config.label]
    apps.models_ready = apps.ready = True  # as when the tests import the other files
    apps.clear_cache()
    _load_other_files()


def _load_other_files() -> None:
    assert _child is not None
    for label, files in _child.katas.items():
        if label not in _child.loaded_models:
            continue
        kata = manifest.by_label(label)
        for name in files:
            if name == "models.py" or (label, name) in _child.judged:
                continue
            dotted = f"{manifest.target()}.{kata.dir}.{name.removesuffix('.py')}"
            _guarded(label, name, lambda dotted=dotted: importlib.import_module(dotted))
    _emit(event="done")
    _child.real_exit(0)


def _tree_of(label: str) -> Path:
    return manifest.by_label(label).folder()


def _guarded(label: str, name: str, load) -> dict:
    """Load one kata file under the time limit; report its start and its verdict."""
    assert _child is not None
    _child.current = (label, name)
    _emit(event="start", label=label, file=name)
    faulthandler.dump_traceback_later(_child.timeout, exit=True, file=_child.faults)
    try:
        load()
    except Exception as exc:  # noqa: BLE001 - pytest reports ordinary errors itself
        result = {"verdict": "error", "type": type(exc).__name__}
    except BaseException as exc:  # noqa: BLE001 - what this probe is for
        result = describe(exc, _tree_of(label))
    else:
        result = {"verdict": "ok"}
    finally:
        faulthandler.cancel_dump_traceback_later()
        _child.current = None
    _emit(event="end", label=label, file=name, verdict=result)
    return result


def load_models(config, import_models) -> None:
    """``KataConfig.import_models`` in the child: load the models only of katas being probed."""
    assert _child is not None
    label = config.label
    if label not in _child.katas:
        config.skip_models()
        return
    if "models.py" not in _child.katas[label] or (label, "models.py") in _child.judged:
        try:  # known to load (it was judged by an earlier child): needed by the other files
            import_models()
        except BaseException:  # noqa: BLE001
            config.skip_models()
            return
        _child.loaded_models.add(label)
        return
    result = _guarded(label, "models.py", import_models)
    if result["verdict"] == "ok":
        _child.loaded_models.add(label)
    else:
        config.skip_models()
