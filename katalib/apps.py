"""One Django app per kata, loaded so that a broken kata breaks only itself.

Each kata folder becomes an app whose label (``k02_many_to_one``) is the same whether
``katas/`` or ``solutions/`` is loaded, so the same tests run against either tree.
If a kata's ``models.py`` raises while importing (SyntaxError, NameError, a ForeignKey
without on_delete...) or points at a model that does not exist, the error is stored on
the app config and the kata's models are dropped; every other kata loads normally and
the broken kata's tests report the stored error (see ``katalib.loader``).
"""

from __future__ import annotations

from django.apps import AppConfig

from katalib import manifest


class KataConfig(AppConfig):
    default = False  # only used through the generated subclasses below
    default_auto_field = "django.db.models.BigAutoField"
    import_error: BaseException | None = None

    def import_models(self) -> None:
        try:
            super().import_models()
        except Exception as exc:  # noqa: BLE001 - learner code: anything can go wrong here
            self.import_error = exc
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
        if unresolved and self.import_error is None:
            self.import_error = LookupError(
                "relation to a model that does not exist: " + "; ".join(unresolved)
            )
        if self.import_error is not None:
            # Drop the kata's half-registered models so no tables are created for them.
            self.apps.all_models[self.label].clear()
            self.apps.clear_cache()


def _make_configs() -> dict[str, type[KataConfig]]:
    tree = manifest.target()
    return {
        kata.label: type(
            kata.label, (KataConfig,), {"name": f"{tree}.{kata.dir}", "label": kata.label}
        )
        for kata in manifest.load()
        # A folder missing from this tree is not installed; its tests say so (katalib.loader).
        if (manifest.ROOT / tree / kata.dir / "__init__.py").is_file()
    }


CONFIGS = _make_configs()
globals().update(CONFIGS)
INSTALLED_KATAS = [f"{__name__}.{label}" for label in CONFIGS]
