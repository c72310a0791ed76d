"""The advisor's built-in model families, one module per family, each registered as a plugin.

Installed as the import package ``advisor_plugins`` and registered through the ``advisor``
entry-point group exactly as a third-party plugin package would be.
"""
