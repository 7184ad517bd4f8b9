"""The browser runner's build: ``katas web build`` writes the static site (``web/`` holds the page).

The top layer but for the ``katas`` command: it packs every layer below it into the site.
"""
