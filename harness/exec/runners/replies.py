# replies.py: what every part of the runner says back — the size limits, the
# errors that say whose fault a failure is, and the reply and message helpers
# (docs/design.md "Runner protocol").
import linecache
import reprlib
import resource
import sys
import traceback

REPR_MAX = 200
MESSAGE_MAX = 500
TRACEBACK_MAX = 2000
OUTPUT_MAX = 16 << 20        # one encoded output of the `outputs` command
OUTPUTS_TOTAL_MAX = 48 << 20  # all of them (the harness takes replies up to 64 MiB)

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = _repr.maxlong = REPR_MAX
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 40
_repr.maxfrozenset = _repr.maxdeque = _repr.maxarray = 40
_repr.maxlevel = 6

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # 3.11+ refuses to parse or print huge ints


class HarnessError(Exception):
    """Not the candidate's fault: the suite or the protocol is wrong."""


class CheckerFailed(Exception):
    """The checker (comparator "checker") raised; wraps its exception."""

    def __init__(self, error):
        Exception.__init__(self)
        self.error = error


class LoadFailed(Exception):
    """Loading (prelude, candidate, setup code, entry point) raised."""

    def __init__(self, error, filename, what):
        Exception.__init__(self)
        self.error, self.filename, self.what = error, filename, what


def clean(text, limit):
    """One JSON-safe string: no lone surrogates, no NULs, at most `limit` chars."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show(value):
    try:
        return clean(_repr.repr(value), REPR_MAX)
    except BaseException as e:  # a candidate's __repr__ may raise anything
        return "<unrepresentable %s: %s>" % (type(value).__name__, type(e).__name__)


def message_of(e):
    try:
        return clean(str(e), MESSAGE_MAX)
    except BaseException:
        return "<unprintable message>"


def traceback_tail(e, filename):
    """The candidate's frames only (the runner's own are noise)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(e), e, tb))
    return clean(text[-TRACEBACK_MAX:], TRACEBACK_MAX)


def failure(e, filename=None, harness=False, message=None):
    reply = {"ok": False, "error_type": type(e).__name__,
             "message": message if message is not None else message_of(e)}
    if filename is not None:
        reply["traceback"] = traceback_tail(e, filename)
    if harness:
        reply["harness"] = True
    return reply


def load_failure(lf):
    e = lf.error
    message = message_of(e)
    if lf.what:
        message = clean("%s: %s" % (lf.what, message), MESSAGE_MAX)
    reply = failure(e, lf.filename, message=message)
    reply["load"] = True
    return reply


def script_message(e, filename, lines):
    """An AssertionError in a test script: the failing assert's line."""
    message = message_of(e)
    if not isinstance(e, AssertionError):
        return message
    lineno, tb = None, e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    if lineno is None or not 0 < lineno <= len(lines):
        return message
    text = "line %d: %s" % (lineno, lines[lineno - 1].strip())
    return clean(text + (": " + message if message else ""), MESSAGE_MAX)


def cpu_ns():
    """The process's CPU time (all threads). Not time.process_time(): with
    RLIMIT_CPU set (the sandbox's backstop) Linux serves that clock from the
    tick-sampled group timer, so a few milliseconds of work can read as 0."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return round((r.ru_utime + r.ru_stime) * 1e9)


def flush_candidate_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def remember_source(filename, text):
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)



def lookup(table, key, what):
    """table[key]; a key it lacks is the harness's error, naming the keys it has."""
    try:
        return table[key]
    except (KeyError, TypeError):
        raise HarnessError("unknown %s %r (one of: %s)" % (what, key, ", ".join(table))) from None
