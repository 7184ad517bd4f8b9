"""
Fill in the blanks: a ForeignKey definition

A ForeignKey models a many-to-one link: many Post rows point to one Author row.
Every ForeignKey also needs on_delete, the rule for what happens to the posts
when their author is deleted.

The helper below prints the line of model code that links a Post to its Author.
Two parts of it are blanks (____). Fill them in.
"""

FIELD_TYPE = "ForeignKey"  # many-to-one: many posts point at one author
DELETE_RULE = "CASCADE"  # deleting an author deletes the posts that point at them


def foreign_key_definition() -> str:
    """Return the model line that gives a Post its author.

    >>> foreign_key_definition()
    'author = models.<field type>(Author, on_delete=models.<delete rule>)'
    """
    return f"author = models.{FIELD_TYPE}(Author, on_delete=models.{DELETE_RULE})"


def print_foreign_key_definition() -> None:
    """Print foreign_key_definition() so you can paste it into a model."""
    print(foreign_key_definition())
