# compile_asserts.py: the trusted assert compiler (docs/design.md "Assert
# compiler"). It turns the assert scripts of a test set (HumanEval's
# `def check(candidate): ...` followed by `check(ENTRY)`, MBPP's test_list
# asserts) into call cases the harness judges outside the candidate's process,
# or says why the test set cannot be compiled. It only parses: the scripts go
# through ast.parse and their values through ast.literal_eval; nothing it
# reads is ever executed, and no candidate code runs here.
#
# Started by the harness (exec/asserts.c) in the sandbox as
# `python -s -B -c <this file>`: one JSON line on the command fd,
#   {"sets": [{"id", "entry", "scripts": [{"test_id", "script"}]}]}
# one JSON line back on the reply fd,
#   {"ok": true, "sets": [{"id", "ok": true, "cases": [...]}
#                         | {"id", "ok": false, "reason": "..."}]}
# A case is {test_id, inputs, expected_output?, assert?, tolerance?, rel_tol?,
# abs_tol?} with values in the typed encoding (docs/design.md "Typed values").
# stdlib only, Python 3.9+.
import ast
import base64
import json
import math
import os
import sys

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_DEPTH = 256  # nesting of one encoded value
TYPED_KEYS = ("__int__", "__float__", "__tuple__", "__set__", "__frozenset__", "__bytes__",
              "__complex__", "__dict__", "__error__")


class Refused(Exception):
    """The test set stays a script test set; str(self) says why."""

    def __init__(self, node, what):
        line = getattr(node, "lineno", None)
        super().__init__("line %d: %s" % (line, what) if line else what)


# What a statement or expression the compiler does not take is called in a
# refusal ("line 7: a for loop").
STATEMENTS = {
    ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
    ast.If: "an if statement", ast.With: "a with statement", ast.AsyncWith: "a with statement",
    ast.Try: "a try statement", ast.Assign: "an assignment", ast.AugAssign: "an assignment",
    ast.AnnAssign: "an assignment", ast.FunctionDef: "a helper function",
    ast.AsyncFunctionDef: "a helper function", ast.ClassDef: "a class", ast.Return: "a return",
    ast.Delete: "a del statement", ast.Raise: "a raise statement", ast.Global: "a global statement",
    ast.Nonlocal: "a nonlocal statement", ast.Expr: "an expression statement",
    ast.Import: "an import inside check()", ast.ImportFrom: "an import inside check()",
}
if hasattr(ast, "Match"):
    STATEMENTS[ast.Match] = "a match statement"
if hasattr(ast, "TryStar"):
    STATEMENTS[ast.TryStar] = "a try statement"


def statement_words(node):
    return STATEMENTS.get(type(node), "a %s statement" % type(node).__name__)


def expression_words(node):
    """How a refusal names an assert's test that has none of the shapes."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        text = type(node).__name__
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(node, ast.Call):
        return "an assert of %s" % text
    if isinstance(node, ast.Compare):
        return "a comparison the compiler does not take (%s)" % text
    if isinstance(node, ast.BoolOp):
        return "an and/or of several conditions (%s)" % text
    return "an assert of this shape (%s)" % text


# ---- values ---------------------------------------------------------------

class FoldUnary(ast.NodeTransformer):
    """-5, +5, -(5), --5 on numeric constants become constants."""

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        v = node.operand
        if (isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(v, ast.Constant)
                and type(v.value) in (int, float, complex)):
            value = -v.value if isinstance(node.op, ast.USub) else +v.value
            return ast.copy_location(ast.Constant(value), node)
        return node


def literal(node, what):
    """The Python value of a literal expression (ast.literal_eval after
    folding unary minus), or Refused."""
    try:
        return ast.literal_eval(FoldUnary().visit(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise Refused(node, "%s is not a literal" % what) from None


def _encode_str(s, node):
    if "\0" in s:
        raise Refused(node, "a string holding NUL")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(node, "a string holding a lone surrogate") from None
    return s


def encode(v, node, depth=0):
    """The typed encoding of a literal's value (as codec.py encodes outputs)."""
    if depth > MAX_DEPTH:
        raise Refused(node, "a value nested too deeply")
    d = depth + 1
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        if INT64_MIN <= v <= INT64_MAX:
            return v
        try:
            return {"__int__": str(v)}
        except ValueError:  # beyond sys.get_int_max_str_digits()
            raise Refused(node, "an integer too long to carry") from None
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return {"__float__": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if isinstance(v, complex):
        return {"__complex__": [encode(v.real, node, d), encode(v.imag, node, d)]}
    if isinstance(v, str):
        return _encode_str(v, node)
    if isinstance(v, bytes):
        return {"__bytes__": base64.b64encode(v).decode("ascii")}
    if isinstance(v, list):
        return [encode(x, node, d) for x in v]
    if isinstance(v, tuple):
        return {"__tuple__": [encode(x, node, d) for x in v]}
    if isinstance(v, (set, frozenset)):
        items = [encode(x, node, d) for x in v]
        items.sort(key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=True))
        return {"__frozenset__" if isinstance(v, frozenset) else "__set__": items}
    if isinstance(v, dict):
        plain = all(isinstance(k, str) for k in v)
        if plain and len(v) == 1 and next(iter(v)) in TYPED_KEYS:
            plain = False  # would read back as a typed value
        if plain:
            return {_encode_str(k, node): encode(x, node, d) for k, x in v.items()}
        return {"__dict__": [[encode(k, node, d), encode(x, node, d)] for k, x in v.items()]}
    raise Refused(node, "a value of type %s (the typed encoding has none)" % type(v).__name__)


def number(node, what):
    v = literal(node, what)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Refused(node, "%s is not a number" % what)
    if not math.isfinite(v) or v < 0:
        raise Refused(node, "%s is not a finite number >= 0" % what)
    return v


# ---- asserts ----------------------------------------------------------------

class Shapes:
    """Compiles asserts into cases; `names` are what the candidate is called
    by where the assert stands (the entry point, and check()'s parameter
    inside check())."""

    def candidate_call(self, node, names):
        """The argument list of `candidate(ARGS)`, or None when node is not a
        call of the candidate."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in names):
            return None
        if node.keywords:
            raise Refused(node, "a call of the candidate with keyword arguments")
        args = []
        for i, a in enumerate(node.args):
            if isinstance(a, ast.Starred):
                raise Refused(node, "a call of the candidate with star arguments")
            args.append(encode(literal(a, "argument %d" % (i + 1)), a))
        return args

    def side(self, a, b, names):
        """(args, other) when exactly one of a, b calls the candidate."""
        ca, cb = self.candidate_call(a, names), self.candidate_call(b, names)
        if ca is not None and cb is not None:
            raise Refused(a, "a comparison of candidate results with each other")
        if ca is not None:
            return ca, b
        if cb is not None:
            return cb, a
        return None, None

    def equality(self, node, names):
        left, op, right = node.left, node.ops[0], node.comparators[0]
        args, other = self.side(left, right, names)
        if args is None:
            raise Refused(node, "a comparison that does not call the candidate")
        if isinstance(op, ast.Is):
            if self.candidate_call(left, names) is None or not (
                    isinstance(right, ast.Constant) and right.value in (True, False, None)
                    and (right.value is None or isinstance(right.value, bool))):
                raise Refused(node, "an 'is' comparison other than candidate(...) is "
                                    "True/False/None")
        value = literal(other, "the expected value")
        return {"inputs": args, "expected_output": encode(value, other)}

    def abs_lt(self, node, names):
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if not (isinstance(left, ast.Call) and isinstance(left.func, ast.Name)
                and left.func.id == "abs" and len(left.args) == 1 and not left.keywords
                and isinstance(left.args[0], ast.BinOp) and isinstance(left.args[0].op, ast.Sub)):
            raise Refused(node, "a '<' comparison other than abs(candidate(...) - EXPR) < TOL")
        diff = left.args[0]
        args, other = self.side(diff.left, diff.right, names)
        if args is None:
            raise Refused(node, "abs(...) of a difference that does not call the candidate")
        tol = number(right, "the tolerance")
        if isinstance(op, ast.LtE):  # |d| <= t  is  |d| < the next float above t
            tol = math.nextafter(float(tol), math.inf)
        return {"inputs": args, "expected_output": encode(literal(other, "the expected value"),
                                                          other),
                "assert": "abs_lt", "tolerance": tol}

    def isclose(self, node, names):
        if len(node.args) != 2:
            raise Refused(node, "isclose() without two positional arguments")
        args, other = self.side(node.args[0], node.args[1], names)
        if args is None:
            raise Refused(node, "isclose() that does not call the candidate")
        case = {"inputs": args, "expected_output": encode(literal(other, "the expected value"),
                                                          other),
                "assert": "isclose"}
        for kw in node.keywords:
            if kw.arg not in ("rel_tol", "abs_tol"):
                raise Refused(node, "isclose() with keyword %s" % (kw.arg or "**"))
            case[kw.arg] = number(kw.value, kw.arg)
        return case

    @staticmethod
    def is_isclose(node):
        f = node.func
        return ((isinstance(f, ast.Name) and f.id == "isclose")
                or (isinstance(f, ast.Attribute) and f.attr == "isclose"
                    and isinstance(f.value, ast.Name) and f.value.id == "math"))

    def case(self, node, names):
        """One assert -> one case dict (without test_id), None to skip, or Refused."""
        t = node.test
        if isinstance(t, ast.Constant) and t.value is True:
            return None  # assert True
        args = self.candidate_call(t, names)
        if args is not None:
            return {"inputs": args, "assert": "truthy"}
        if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not):
            args = self.candidate_call(t.operand, names)
            if args is not None:
                return {"inputs": args, "assert": "falsy"}
        if isinstance(t, ast.Compare) and len(t.ops) == 1:
            op = t.ops[0]
            if isinstance(op, (ast.Eq, ast.Is)):
                return self.equality(t, names)
            if isinstance(op, (ast.Lt, ast.LtE)):
                return self.abs_lt(t, names)
        if isinstance(t, ast.Call) and self.is_isclose(t):
            return self.isclose(t, names)
        raise Refused(node, expression_words(t))


def skippable(node, module_level):
    """Docstrings and other bare constants, pass; at module level also
    imports and METADATA = ..."""
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True
    if not module_level:
        return False
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    return (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "METADATA")


def check_def(node):
    """The parameter name of `def check(candidate):`, or None."""
    if not isinstance(node, ast.FunctionDef) or node.name != "check" or node.decorator_list:
        return None
    a = node.args
    if (len(a.args) != 1 or a.vararg or a.kwarg or a.kwonlyargs or a.defaults
            or getattr(a, "posonlyargs", [])):
        return None
    return a.args[0].arg


def check_call(node, entry):
    """Is node `check(ENTRY)`?"""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
            and len(node.value.args) == 1 and not node.value.keywords
            and isinstance(node.value.args[0], ast.Name) and node.value.args[0].id == entry)


def compile_script(source, entry):
    """The cases of one script, in assert order (no test ids yet)."""
    try:
        tree = ast.parse(source, "<test>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        raise Refused(None, "the script does not parse (%s)" % e) from None
    shapes = Shapes()
    cases, check, called = [], None, False
    for node in tree.body:
        if skippable(node, True):
            continue
        param = check_def(node)
        if param is not None and check is None and not called:
            check = (node, param)
            continue
        if check_call(node, entry) and check is not None and not called:
            called = True
            for inner in check[0].body:
                if skippable(inner, False):
                    continue
                if not isinstance(inner, ast.Assert):
                    raise Refused(inner, statement_words(inner))
                c = shapes.case(inner, (check[1], entry))
                if c is not None:
                    cases.append(c)
            continue
        if isinstance(node, ast.Assert):
            c = shapes.case(node, (entry,))
            if c is not None:
                cases.append(c)
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            raise Refused(node, "a call outside an assert")
        raise Refused(node, statement_words(node))
    if check is not None and not called:
        raise Refused(check[0], "check() is defined but never called with %s" % entry)
    return cases, check is not None


def compile_set(entry, scripts):
    """All cases of a test set, or Refused (the first reason)."""
    if not isinstance(entry, str) or not entry.isidentifier():
        raise Refused(None, "no entry point to call")
    out = []
    for s in scripts:
        test_id, source = str(s.get("test_id")), s.get("script")
        if not isinstance(source, str):
            raise Refused(None, "test %s has no script" % test_id)
        try:
            cases, numbered = compile_script(source, entry)
        except Refused as r:
            raise Refused(None, "test %s, %s" % (test_id, r)) from None
        numbered = numbered or len(cases) > 1
        for i, c in enumerate(cases):
            out.append(dict(c, test_id="%s-%d" % (test_id, i + 1) if numbered else test_id))
    if not out:
        raise Refused(None, "no assert calls the candidate")
    return out


def compile_request(req):
    sets = []
    for s in req.get("sets", []):
        try:
            sets.append({"id": s.get("id"), "ok": True,
                         "cases": compile_set(s.get("entry"), s.get("scripts") or [])})
        except Refused as r:
            sets.append({"id": s.get("id"), "ok": False, "reason": str(r)})
    return {"ok": True, "sets": sets}


def main():
    cmd = os.fdopen(int(os.environ.get("JOULETRACE_CMD_FD", "0")), "rb")
    reply = os.fdopen(int(os.environ.get("JOULETRACE_REPLY_FD", "1")), "wb")
    try:
        out = compile_request(json.loads(cmd.readline()))
        text = json.dumps(out, ensure_ascii=True, allow_nan=False)
    except Exception as e:  # a bad request: the harness's fault, said as such
        text = json.dumps({"ok": False, "message": "%s: %s" % (type(e).__name__, e)})
    reply.write(text.encode("ascii") + b"\n")
    reply.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
