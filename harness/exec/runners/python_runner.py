# JouleTrace's Python runner: serves one candidate inside the sandboxed child.
#
# This file is the runner's loader, the only part on the child's command line
# (`python -s -B -c <this file>`, embedded by runner_blob.S): the runner
# itself (main.py and the modules beside it, joined at build time) arrives as
# the first message on the command channel, so its size is bounded by no
# argv string. That message is "jouletrace-runner <N>\n" followed by N bytes
# of UTF-8 and "\n". The N bytes are the package's modules, each opened by a
# line "#@module NAME"; they are imported as jouletrace_runner.NAME from that
# text alone (nothing is written to disk, no other fd is opened), the importer
# is removed again and jouletrace_runner.main.main() serves the commands that
# follow (docs/design.md "Runner protocol"). A text without those lines (a
# development runner, JOULETRACE_PYTHON_RUNNER) runs as one program instead.
# stdlib only, Python 3.9+.
import importlib.machinery
import os
import re
import sys

PACKAGE = "jouletrace_runner"
MODULE_LINE = re.compile(r"^#@module (\w+)\n", re.M)


def read_exactly(fd, n):
    data = bytearray()
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            sys.exit(0)  # the harness went away before sending the runner
        data += chunk
    return bytes(data)


def receive(fd):
    header = b""
    while not header.endswith(b"\n") and len(header) < 64:
        header += read_exactly(fd, 1)
    words = header.split()
    if len(words) != 2 or words[0] != b"jouletrace-runner" or not words[1].isdigit():
        sys.exit("jouletrace runner loader: bad first message %r" % header[:64])
    data = read_exactly(fd, int(words[1]) + 1)
    if not data.endswith(b"\n"):
        sys.exit("jouletrace runner loader: the runner does not end where its header says")
    return data[:-1].decode("utf-8")


class Importer:
    """Finds and loads jouletrace_runner and its modules from their text."""

    def __init__(self, files):
        self.files = files

    def find_spec(self, name, path=None, target=None):
        if name == PACKAGE:
            spec = importlib.machinery.ModuleSpec(name, self, is_package=True)
            spec.submodule_search_locations = []
            return spec
        package, _, short = name.rpartition(".")
        if package == PACKAGE and short in self.files:
            return importlib.machinery.ModuleSpec(name, self, origin="<%s>" % name)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        short = module.__name__.rpartition(".")[2]
        if module.__name__ != PACKAGE:
            text = self.files[short]
            exec(compile(text, "<%s/%s.py>" % (PACKAGE, short), "exec", dont_inherit=True),
                 module.__dict__)


def run():
    text = receive(int(os.environ.get("JOULETRACE_CMD_FD", "3")))
    parts = MODULE_LINE.split(text)
    if len(parts) == 1:  # one program
        code = compile(text, "<jouletrace-runner>", "exec", dont_inherit=True)
        del text, parts
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
        return 0
    files = dict(zip(parts[1::2], parts[2::2]))
    del text, parts
    importer = Importer(files)
    sys.meta_path.insert(0, importer)
    try:
        main = importlib.import_module(PACKAGE + ".main")
        for name in files:  # every module, also those main does not import
            importlib.import_module("%s.%s" % (PACKAGE, name))
    finally:
        sys.meta_path.remove(importer)
    del files, importer
    return main.main()


if __name__ == "__main__":
    sys.exit(run())
