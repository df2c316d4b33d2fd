"""The plugin's presets (``llpscan.presets`` entry point): one TOML file per figure."""
