"""What pytest loads: the plugin's hooks, the kata apps, the loader, the schema and the probe.

Also what kata tests import from the harness (``answers``, ``testcase``). Reads ``base`` and
``teach``.
"""
