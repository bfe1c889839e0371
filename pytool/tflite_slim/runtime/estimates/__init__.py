"""Estimates made before a build: the trimmed runtime's size and the build's time, from measured tables.

Pure functions over data shipped beside them (``size_model.json``, ``build_time.json``), each table
saying how it was measured; :mod:`.overview` puts them with the plan for ``plan`` and ``build --dry-run``.
"""
