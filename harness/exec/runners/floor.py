# floor.py: the harness floor of mode script (docs/design.md "Floor"): the
# same script against a null entry point, made tolerant so that a None result
# does not end it at the first assert: every `assert t, m` becomes the bare
# expression `t` (evaluated as a passing assert evaluates it; m is not), and
# every statement, at any depth, is wrapped in `try: ... except Exception:
# pass`. Also the null entry points themselves.
import ast

_UNGUARDED = (ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)


def _tolerant_body(stmts):
    out = []
    for s in stmts:
        if isinstance(s, _UNGUARDED) or (isinstance(s, ast.ImportFrom)
                                         and s.module == "__future__"):
            out.append(s)
            continue
        if isinstance(s, ast.Assert):
            s = ast.copy_location(ast.Expr(value=s.test), s)
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(s, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(s, field, _tolerant_body(inner))
        for h in getattr(s, "handlers", None) or []:
            h.body = _tolerant_body(h.body)
        for c in getattr(s, "cases", None) or []:  # match (3.10+)
            c.body = _tolerant_body(c.body)
        handler = ast.ExceptHandler(type=ast.Name(id="Exception", ctx=ast.Load()), name=None,
                                    body=[ast.Pass()])
        out.append(ast.copy_location(ast.Try(body=[s], handlers=[handler], orelse=[],
                                             finalbody=[]), s))
    return out


def tolerant(source, filename):
    tree = ast.parse(source, filename)
    tree.body = _tolerant_body(tree.body)
    return compile(ast.fix_missing_locations(tree), filename, "exec", dont_inherit=True)



def null_returning(value):
    """The floor's entry point for one test: takes anything, returns `value`
    (the test's expected output, so its encoding and proof cost what a
    correct candidate's do)."""
    def null(*args, **kwargs):
        return value
    return null


def null_solution(name):
    """Mode method's floor: a Solution class whose method `name` returns None."""
    return type("Solution", (), {name: lambda self, *a, **k: None})
