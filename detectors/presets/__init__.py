"""The built-in presets: one TOML scan config per figure of the five papers llpscan reproduces.

Registered through the ``llpscan.presets`` entry point of llpscan's own ``pyproject.toml``; a
plugin package ships its presets the same way (see ``docs/plugins.md``).
"""
