"""How messages name an option: ``--overwrite`` on the command line, ``overwrite=True`` in Python.

The same checks serve the command line and the Python API, and an error must speak the language
of the caller: a Python user has no ``--sel`` flag to fix. The command line wraps its work in
:func:`command_line`; everything else reads as Python.

>>> flag("overwrite"), flag("sel", "m_N=inf")
('overwrite=True', 'sel m_N=inf')
>>> with command_line():
...     flag("overwrite"), flag("sel", "m_N=inf"), flag("allow_large")
('--overwrite', '--sel m_N=inf', '--allow-large')
"""

from __future__ import annotations

import contextlib
import contextvars

__all__ = ["command_line", "flag", "resume_hint", "verify_hint"]

_CLI = contextvars.ContextVar("llpscan_command_line", default=False)
#: options whose Python spelling is not ``name=True``
_PYTHON_NAMES = {"out": "store path", "chunks": "chunks", "sel": "sel", "axis": "axes", "level": "level"}


@contextlib.contextmanager
def command_line():
    """Messages raised inside name command-line flags."""
    token = _CLI.set(True)
    try:
        yield
    finally:
        _CLI.reset(token)


def flag(name: str, value=None) -> str:
    """An option as the caller writes it.

    Switches (``value`` None): ``--allow-large`` / ``allow_large=True``. With a value:
    ``--workers 0`` / ``workers=0``, and for NAME=VALUE pairs (``sel``, ``chunks``, ``axis``)
    ``--sel m_N=inf`` / ``sel m_N=inf``.
    """
    if _CLI.get():
        text = "--" + name.replace("_", "-")
        return text if value is None else f"{text} {value}"
    if value is None:
        return _PYTHON_NAMES.get(name, f"{name}=True")
    if isinstance(value, str) and "=" in value:
        return f"{name} {value}"
    return f"{name}={value!r}" if isinstance(value, str) else f"{name}={value}"


def resume_hint(store) -> str:
    """How to finish a partial store."""
    if _CLI.get():
        return f"`llpscan run CONFIG --out {store} --resume`"
    return f"llpscan.run(config, {str(store)!r}, resume=True)"


def verify_hint(store) -> str:
    """How to find and mark damaged blocks."""
    if _CLI.get():
        return f"`llpscan verify {store}` (or `llpscan info --verify`), then --resume"
    return f"llpscan.verify({str(store)!r}), then llpscan.run(config, {str(store)!r}, resume=True)"
