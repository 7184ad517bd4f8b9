"""Fixes for Django's system checks (``manage.py check``), by check id: ``CHECK_HINTS`` and
``explain_check``. Not rules: a failed check is a message, not an exception."""

from __future__ import annotations

from typing import Any

CHECK_HINTS = {
    "fields.E001": "rename the field so that it doesn't end with an underscore.",
    "fields.E002": "rename the field without '__' (a double underscore separates lookups).",
    "fields.E003": "rename the field: 'pk' is reserved for the primary key.",
    "fields.E004": "give choices=... a list of (value, label) pairs.",
    "fields.E005": "give choices=... a list of (value, label) pairs.",
    "fields.E120": "give the CharField a length: models.CharField(max_length=100).",
    "fields.E121": "max_length must be a whole number above 0, e.g. max_length=100.",
    "fields.E130": "give the DecimalField decimal_places=..., e.g. decimal_places=2.",
    "fields.E131": "decimal_places must be a whole number, 0 or more.",
    "fields.E132": "give the DecimalField max_digits=..., e.g. max_digits=8.",
    "fields.E133": "max_digits must be a whole number above 0.",
    "fields.E134": "max_digits must be at least decimal_places.",
    "fields.E300": "the relation points at a model that is not installed or misspelled.",
    "fields.E301": "point the relation at settings.AUTH_USER_MODEL instead of the swapped model.",
    "fields.E302": (
        "the reverse accessor of this relation has the name of a field of the model it points "
        "at. Rename that field, or give the relation another related_name."
    ),
    "fields.E303": (
        "the reverse query name of this relation has the name of a field of the model it "
        "points at. Rename that field, or give the relation another related_name (or "
        "related_query_name)."
    ),
    "fields.E304": (
        "two relations to the same model would get the same reverse accessor (e.g. two "
        "ForeignKeys from Post to Author would both make author.post_set). A related_name on "
        "one of them ends the clash; name both when your code uses both, e.g. "
        "related_name='posts' and related_name='reviewed_posts'."
    ),
    "fields.E305": (
        "two relations would get the same reverse query name. A related_name (or "
        "related_query_name) on one of them, different from the other's, ends the clash."
    ),
    "fields.E306": "related_name must be a valid Python name: letters, digits and _, no spaces.",
    "fields.E307": "a lazy reference ('app.Model') names a model that does not exist.",
    "fields.E308": (
        "the reverse query name (related_query_name, else related_name) ends with '_': give "
        "the relation one that doesn't end with an underscore."
    ),
    "fields.E309": "give the relation a related_name or related_query_name without '__'.",
    "fields.E310": "make the field the relation points at (to_field) unique=True.",
    "fields.E311": "make the field the relation points at (to_field) unique=True.",
    "fields.E312": "to_field must name a field that exists on the related model.",
    "fields.E320": (
        "on_delete=models.SET_NULL needs a column that can hold NULL: add null=True "
        "(and blank=True), or choose another on_delete rule."
    ),
    "fields.E321": (
        "on_delete=models.SET_DEFAULT needs default=... on the field, or choose another rule."
    ),
    "fields.E330": (
        "remove unique=True from the ManyToManyField; to make each pair unique, put a "
        "UniqueConstraint on the through model."
    ),
    "fields.E331": "through= must name a model that exists in this app, e.g. through='Tagging'.",
    "fields.E333": (
        "the through model has more than one ForeignKey to the same model: say which two "
        "to use with through_fields=('from_field', 'to_field')."
    ),
    "fields.E334": (
        "the through model has more than one ForeignKey to the source model: name the two "
        "to use with through_fields=(...)."
    ),
    "fields.E335": (
        "the through model has more than one ForeignKey to the target model: name the two "
        "to use with through_fields=(...)."
    ),
    "fields.E336": (
        "the through model needs a ForeignKey to each side of the many-to-many: add the one "
        "that is missing."
    ),
    "fields.E337": "through_fields takes two names: through_fields=('post', 'tag').",
    "fields.E338": "through_fields must name ForeignKeys of the through model.",
    "fields.E339": "a through model's through_fields don't match its ForeignKeys.",
    "fields.E340": (
        "the table that holds this ManyToManyField's links has the name of another model's "
        "table (the one the message names): change that model's Meta.db_table, or give the "
        "links another table (db_table=... on a ManyToManyField without a through model)."
    ),
    "models.E004": "rename the field: 'id' is the primary key Django adds by itself.",
    "models.E006": "two fields have the same name: rename one of them.",
    "models.E007": (
        "two fields use the same column (db_column=...): give each its own db_column, or "
        "remove db_column and let Django name the columns."
    ),
    "models.E012": "the Meta option names a field that doesn't exist: fix the field name.",
    "models.E013": (
        "a ManyToManyField has no column, so it can't be in this Meta option: use the "
        "ForeignKeys of its through model instead."
    ),
    "models.E015": (
        "Meta.ordering names a field that doesn't exist: fix the name (a '-' for descending)."
    ),
    "models.E028": (
        "two models use the same db_table: give each its own Meta.db_table, or remove "
        "db_table and let Django name the tables."
    ),
    "models.E030": "index names must be unique in the database: put '%(app_label)s_' in the name.",
    "models.E031": (
        "two constraints of this model have the same name: give each constraint in "
        "Meta.constraints a name=... of its own."
    ),
    "models.E032": (
        "constraint names must be unique in the database: put '%(app_label)s_' in the name."
    ),
}


CHECKS_DOCS = "https://docs.djangoproject.com/en/stable/ref/checks/"


def explain_check(
    check_id: str | None, *, obj: Any = None, msg: str = "", hint: str | None = None
) -> str:
    """What to change for a failed system check: an entry of CHECK_HINTS, else a pointer to the
    line Django names (``obj``: the field or model it rejected, when the caller passes it)."""
    if check_id in CHECK_HINTS:
        return CHECK_HINTS[check_id]
    model = getattr(obj, "model", None)
    if model is not None and getattr(obj, "name", None):
        where = f"the field {model.__name__}.{obj.name} in models.py"
    elif isinstance(obj, type):
        where = f"the model {obj.__name__} in models.py"
    else:
        where = "the field or model named before the message (app.Model.field) in models.py"
    if hint:
        return f"edit {where} as Django's HINT says, then run the tests again."
    return (
        f"edit {where}: change or remove the argument the message names, then run the tests "
        f"again ({check_id or 'the check'} is described in {CHECKS_DOCS})."
    )
