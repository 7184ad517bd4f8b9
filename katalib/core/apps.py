"""One Django app per kata, loaded so that a broken kata breaks only itself.

Each kata folder becomes an app whose label (``k02_many_to_one``) is the same whether
``katas/`` or ``solutions/`` is loaded, so the same tests run against either tree.
If a kata's ``models.py`` raises while importing (SyntaxError, NameError, a ForeignKey
without on_delete, even SystemExit or KeyboardInterrupt...) or points at a model that does not
exist, the error is stored on the app config and the kata's models are dropped; every other kata
loads normally and the broken kata's tests report the stored error (see ``katalib.core.loader``).

A file that would end or hang the whole run (``os._exit()``, ``while True``) is found before
Django imports it here, by loading the kata files in a child process first (``katalib.core.probe``);
and once every kata is loaded, tables and columns that two models both claim are found before
the test database is built (``katalib.core.schema``). Either way only the kata at fault is dropped.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.apps.registry import Apps

from katalib.base import manifest
from katalib.core import probe, schema


class KataConfig(AppConfig):
    default = False  # only used through the generated subclasses below
    default_auto_field = "django.db.models.BigAutoField"
    import_error: BaseException | None = None
    _ready_done = False

    def import_models(self) -> None:
        if probe.child.in_child():  # the probe's child process (katalib.core.probe.child)
            probe.child.load_models(self, super().import_models)
            return
        # Would loading models.py end, hang or interrupt the run? Then don't load it.
        broken = probe.verdict(self.label, "models.py")
        if broken is not None:
            self.import_error = broken
            self.skip_models()
            return
        with probe.loading() as ctrl_c:
            try:
                super().import_models()
            except BaseException as exc:  # noqa: BLE001 - learner code: anything can go wrong
                kata = manifest.by_label(self.label)
                self.import_error = probe.kata_error(exc, ctrl_c, kata, "models.py")
                self.models_module = None

    def ready(self) -> None:
        # ForeignKey("Writer") with no such model imports fine, but creating the test database
        # would then fail for every app ("Related model 'Writer' cannot be resolved").
        unresolved = [
            f"{model.__name__}.{field.name} -> {field.remote_field.model!r}"
            for model in self.get_models()
            for field in model._meta.get_fields(include_hidden=True)
            if field.is_relation
            and field.remote_field
            and isinstance(field.remote_field.model, str)
        ]
        # ManyToManyField(through="Taging"): the table build fails the same way, later.
        unresolved += [
            f"{model.__name__}.{field.name} through {field.remote_field.through!r}"
            for model in self.get_models()
            for field in model._meta.local_many_to_many
            if isinstance(getattr(field.remote_field, "through", None), str)
        ]
        if unresolved and self.import_error is None:
            self.import_error = LookupError(
                "relation to a model that does not exist: " + "; ".join(unresolved)
            )
        if self.import_error is not None:
            self.drop_models()
        self._ready_done = True
        if probe.child.in_child():
            return
        katas = [c for c in self._registry().get_app_configs() if isinstance(c, KataConfig)]
        if all(c._ready_done for c in katas):  # the last kata: every model is known now
            schema.check_tables(katas)

    def skip_models(self) -> None:
        """What import_models leaves behind for an app without models."""
        self.models = self._registry().all_models[self.label]
        self.models_module = None

    def drop_models(self) -> None:
        """Unregister the kata's (half-registered) models so that no tables are made for them."""
        registry = self._registry()
        registry.all_models[self.label].clear()
        registry.clear_cache()

    def _registry(self) -> Apps:
        """``self.apps``: None only before ``Apps.populate`` hands the config its registry."""
        assert self.apps is not None
        return self.apps


def _make_configs() -> dict[str, type[KataConfig]]:
    tree = manifest.target()
    return {
        kata.label: type(
            kata.label, (KataConfig,), {"name": f"{tree}.{kata.dir}", "label": kata.label}
        )
        for kata in manifest.installed()
        # A folder missing from this tree is not installed; its tests say so (katalib.core.loader).
        if (manifest.ROOT / tree / kata.dir / "__init__.py").is_file()
    }


CONFIGS = _make_configs()
globals().update(CONFIGS)
INSTALLED_KATAS = [f"{__name__}.{label}" for label in CONFIGS]
# Which kata files must first be loaded in a child process (katalib.core.probe)? A fresh Python
# (no fork(): Windows) starts now, while Django sets up its own apps; a fork starts when the
# first KataConfig.import_models asks for the verdicts.
probe.start([kata for kata in manifest.load() if kata.label in CONFIGS])
