#!/usr/bin/env python3
"""Structure check of a JouleTrace HTML report (run by tests/test_report*.c).

    check_html.py FILE [--expect TEXT]... [--forbid TEXT]...

Fails (exit 1, one line per problem on stderr) unless FILE:
  - is valid UTF-8 and starts with <!DOCTYPE html>;
  - closes every non-void element, in order (html.parser events), with
    nothing left open at the end and no stray end tags;
  - has no <script>, <iframe>, <object>, <embed>, <link>, <img> or <base>
    element at all (candidate text such as "<script>" must arrive escaped);
  - references nothing outside itself: href/src/action/xlink:href/... are
    "#fragment" only, and <style> holds no url(...) or @import;
  - contains every --expect TEXT in its text content (entities decoded) and
    no --forbid TEXT in its raw bytes.
Exit 2 on usage errors.
"""
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
BANNED = {"script", "iframe", "object", "embed", "link", "img", "base", "frame", "audio", "video"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset",
             "background", "cite", "longdesc", "ping"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.text, self.in_style = [], [], [], False

    def where(self):
        line, col = self.getpos()
        return f"line {line}:{col}"

    def check_attrs(self, tag, attrs):
        if tag in BANNED:
            self.problems.append(f"{self.where()}: <{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{self.where()}: event handler attribute {name}")
            if name in URL_ATTRS and not (value or "").startswith("#"):
                self.problems.append(f"{self.where()}: external reference {name}={value!r}")
            if name == "style" and value and ("url(" in value or "@import" in value):
                self.problems.append(f"{self.where()}: url() in a style attribute")

    def handle_starttag(self, tag, attrs):
        self.check_attrs(tag, attrs)
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append((tag, self.where()))

    def handle_startendtag(self, tag, attrs):  # <circle .../>: complete on its own
        self.check_attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"{self.where()}: end tag for void element </{tag}>")
            return
        if not self.stack:
            self.problems.append(f"{self.where()}: stray </{tag}>")
            return
        top, opened = self.stack.pop()
        if top != tag:
            self.problems.append(f"{self.where()}: </{tag}> closes <{top}> opened at {opened}")
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and ("url(" in data or "@import" in data):
            self.problems.append(f"{self.where()}: url()/@import in <style>")
        self.text.append(data)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, expect, forbid = argv[1], [], []
    args = argv[2:]
    while args:
        if len(args) < 2 or args[0] not in ("--expect", "--forbid"):
            print(f"check_html: bad arguments {args}", file=sys.stderr)
            return 2
        (expect if args[0] == "--expect" else forbid).append(args[1])
        args = args[2:]
    raw = open(path, "rb").read()
    problems = []
    try:
        doc = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        print(f"{path}: not valid UTF-8: {e}", file=sys.stderr)
        return 1
    if not doc.startswith("<!DOCTYPE html>"):
        problems.append("does not start with <!DOCTYPE html>")
    c = Checker()
    c.feed(doc)
    c.close()
    problems += c.problems
    for tag, opened in c.stack:
        problems.append(f"<{tag}> opened at {opened} is never closed")
    text = "".join(c.text)
    for t in expect:
        if t not in text:
            problems.append(f"expected text not found: {t!r}")
    for t in forbid:
        if t.encode() in raw:
            problems.append(f"forbidden text present: {t!r}")
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
