"""The facts every layer reads: the manifest, the repository's files, marks, places, the seed.

No module here imports Django, pytest or a higher layer of katalib.
"""
