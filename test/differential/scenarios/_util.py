# Shared helpers of the differential scenarios (the Python side). Each has a twin in _util.ts.
import sys


def en(e):
    """An exception as ClassName('message')."""
    return f"{type(e).__name__}({str(e)!r})"


def keys(ctx):
    """The sorted keys of an exception-handler context, without the debug-only ones."""
    return sorted(k for k in ctx if k not in ("source_traceback", "handle_traceback"))


def flush():
    sys.stdout.flush()


def msg(ctx):
    """An exception-handler message without source locations (" at FILE:LINE"), which only Python has."""
    import re
    return re.sub(r" at [^ ]+:\d+", "", ctx["message"])
