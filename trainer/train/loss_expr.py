"""The loss-expression language: a formula over named tensors such as `mean((prediction - target)**2)`.

The text is parsed with `ast.parse(mode="eval")`, every node is checked against a whitelist (numbers, the allowed
names, + − * / **, unary ±, calls of the functions in `FUNCTIONS`), and the tree is turned into plain Python
closures that call torch ops. Nothing is ever handed to eval, exec or compile-to-code, so there is no way to
reach attributes, builtins or imports: anything outside the whitelist is an `ExpressionError` at parse time.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F

MAX_CHARS = 2000  # the whole text
MAX_NODES = 500  # expression nodes in the tree
MAX_DEPTH = 64  # nesting
MAX_EXPONENT = 64  # |p| in x ** p
MAX_PROBLEMS_SHOWN = 3
DEFAULT_NAMES = ("prediction", "target")
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "eps": 1e-7}

Value = torch.Tensor | float  # plain numbers stay floats until an op meets a tensor


class ExpressionError(ValueError):
    """An expression that cannot be used. The message says what is wrong and where (column, 1-based)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Arg:
    """One argument of a function: `tensor` takes any expression (numbers become tensors), `int` an integer
    literal (a dimension, a class count), `number` any expression (a bound such as `eps` or `1 - eps`)."""

    name: str
    kind: Literal["tensor", "int", "number"]
    required: bool = True
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Function:
    args: tuple[Arg, ...]
    run: Callable[..., torch.Tensor]  # called with the given arguments by keyword
    help: str
    one_of: tuple[str, ...] = ()  # optional arguments of which at least one must be given


def _reduce(op: str) -> Callable[..., torch.Tensor]:
    def run(x: torch.Tensor, dim: int | None = None) -> torch.Tensor:
        return getattr(x, op)() if dim is None else getattr(x, op)(dim=dim)

    return run


def _one_hot(x: torch.Tensor, num_classes: int) -> torch.Tensor:
    # A comparison rather than F.one_hot: it runs on the meta device (validation's dry run) and gives floats.
    classes = torch.arange(num_classes, device=x.device)
    dtype = x.dtype if x.is_floating_point() else torch.get_default_dtype()
    return (x.long().unsqueeze(-1) == classes).to(dtype)


def _unary(fn: Callable[[torch.Tensor], torch.Tensor], help: str) -> Function:
    return Function((Arg("x", "tensor"),), lambda x: fn(x), help)  # run() is called by keyword: x=…


_X = Arg("x", "tensor")
_DIM = Arg("dim", "int", required=False, min=-8, max=8)
FUNCTIONS: dict[str, Function] = {
    "mean": Function((_X, _DIM), _reduce("mean"), "mean(x) over everything, or mean(x, dim=1) along one axis"),
    "sum": Function((_X, _DIM), _reduce("sum"), "sum(x) over everything, or sum(x, dim=1) along one axis"),
    "log": _unary(torch.log, "natural logarithm"),
    "exp": _unary(torch.exp, "e to the x"),
    "abs": _unary(torch.abs, "|x|"),
    "sqrt": _unary(torch.sqrt, "square root"),
    "square": _unary(torch.square, "x²"),
    "sigmoid": _unary(torch.sigmoid, "1 / (1 + e^−x)"),
    "softplus": _unary(F.softplus, "log(1 + e^x), computed stably"),
    "relu": _unary(torch.relu, "max(x, 0)"),
    "tanh": _unary(torch.tanh, "hyperbolic tangent"),
    "clamp": Function(
        (_X, Arg("min", "number", required=False), Arg("max", "number", required=False)),
        lambda x, min=None, max=None: torch.clamp(x, min=min, max=max),
        "clamp(x, min, max): x limited to [min, max], e.g. clamp(prediction, eps, 1 - eps)",
        one_of=("min", "max"),
    ),
    "log_softmax": Function(
        (_X, Arg("dim", "int", required=False, min=-8, max=8)),
        lambda x, dim=-1: F.log_softmax(x, dim=dim),
        "log_softmax(x, dim): log of softmax along dim (default the last), computed stably",
    ),
    "softmax": Function(
        (_X, Arg("dim", "int", required=False, min=-8, max=8)),
        lambda x, dim=-1: F.softmax(x, dim=dim),
        "softmax(x, dim): along dim (default the last)",
    ),
    "minimum": Function(
        (Arg("a", "tensor"), Arg("b", "tensor")), lambda a, b: torch.minimum(a, b), "element-wise minimum of a and b"
    ),
    "maximum": Function(
        (Arg("a", "tensor"), Arg("b", "tensor")), lambda a, b: torch.maximum(a, b), "element-wise maximum of a and b"
    ),
    "one_hot": Function(
        (_X, Arg("num_classes", "int", min=1, max=10_000)),
        _one_hot,
        "one_hot(target, 10): class indices as one-hot rows",
    ),
}

_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b),
    # Two plain numbers go through math.pow: Python's ** would turn (-1) ** 0.5 into a complex number.
    ast.Pow: ("**", lambda a, b: a**b if isinstance(a, torch.Tensor) else math.pow(a, b)),
}
_OPERATOR_TEXT = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}
_REFUSED_KINDS = {
    ast.Subscript: "indexing is",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.IfExp: "if-else is",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Dict: "dicts are",
    ast.Set: "sets are",
    ast.NamedExpr: ":= is",
    ast.JoinedStr: "f-strings are",
    ast.Starred: "* unpacking is",
}


def language_help(names: Iterable[str] = DEFAULT_NAMES) -> str:
    """One paragraph for the catalog and the docs: the names, operators and functions allowed."""
    return (
        f"names: {', '.join([*names, *CONSTANTS])} (eps = 1e-7); operators: + - * / ** (exponent a number "
        f"from -{MAX_EXPONENT} to {MAX_EXPONENT}), unary -; functions: {', '.join(FUNCTIONS)}. A result that "
        "is not a single number is averaged to one."
    )


_Env = tuple[Mapping[str, torch.Tensor], "torch.Tensor | None"]  # (tensors by name, a tensor giving dtype/device)
_Node = Callable[[_Env], Value]


class CompiledExpression:
    """A checked expression, evaluated by walking its tree with torch ops.

    `names` are the tensor names it reads. Calling it returns a 0-d tensor: a result that is not a single number
    (`(prediction - target)**2`) is averaged over all its elements, so `mean(...)` around the whole is optional."""

    def __init__(self, text: str, root: _Node, names: frozenset[str]) -> None:
        self.text = text
        self.names = names
        self._root = root

    def __call__(self, tensors: Mapping[str, torch.Tensor]) -> torch.Tensor:
        missing = sorted(self.names - tensors.keys())
        if missing:
            raise ExpressionError(f"no value given for {', '.join(missing)}")
        ref = next((tensors[n] for n in sorted(self.names)), next(iter(tensors.values()), None))
        value = self._root((tensors, ref))
        if not isinstance(value, torch.Tensor):
            value = torch.tensor(value) if ref is None else torch.tensor(value, dtype=ref.dtype, device=ref.device)
        return value if value.dim() == 0 else value.mean()

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


def parse_expression(text: str, names: Iterable[str] = DEFAULT_NAMES) -> CompiledExpression:
    """Check `text` against the whitelist and compile it; raises ExpressionError naming every problem found
    (the first few, leftmost first). `names` are the tensors it may read; pi, e and eps are always there."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty: write a formula such as mean((prediction - target)**2)")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"the expression has {len(text)} characters; at most {MAX_CHARS} are allowed")
    indent = len(text) - len(text.lstrip())
    source = text.lstrip()  # ast refuses leading whitespace in eval mode
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        column = (exc.offset or 1) + (indent if (exc.lineno or 1) == 1 else 0)
        where = f"line {exc.lineno}, column {column}" if "\n" in source else f"column {column}"
        raise ExpressionError(f"syntax error at {where}: {exc.msg}", column) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"the expression cannot be parsed: {exc}") from None
    count = sum(isinstance(node, ast.expr) for node in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(f"the expression has {count} terms; at most {MAX_NODES} are allowed")
    compiler = _Compiler(source, indent, frozenset(names))
    root = compiler.compile(tree.body, 0)
    if compiler.problems or root is None:
        problems = sorted(compiler.problems)
        shown = [f"{where}: {message}" for (_, _, where, message) in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - MAX_PROBLEMS_SHOWN
        raise ExpressionError("; ".join(shown) + (f" (and {more} more)" if more > 0 else ""), problems[0][1] + 1)
    return CompiledExpression(text, root, frozenset(compiler.used))


class _Compiler:
    """Walks the AST once: records every refused node (to report them all) and builds closures for the rest."""

    def __init__(self, source: str, indent: int, names: frozenset[str]) -> None:
        self.source, self.indent, self.names = source, indent, names
        self.used: set[str] = set()
        self.problems: list[tuple[int, int, str, str]] = []  # (line, column, "column N", message)
        self.multiline = "\n" in source

    # ----- reporting ------------------------------------------------------------------------------------------
    def refuse(self, node: ast.AST, message: str, *, col: int | None = None) -> None:
        self.problems.append((*self.where(node, col), message))

    def text(self, node: ast.AST, limit: int = 40) -> str:
        segment = ast.get_source_segment(self.source, node) or type(node).__name__
        return segment if len(segment) <= limit else segment[: limit - 1] + "…"

    def refuse_tree(
        self, node: ast.AST, message: str, depth: int, *, col: int | None = None, inside: list[ast.expr] | None = None
    ) -> None:
        """Refuse `node` but keep walking inside it (or in `inside`), so that every offender is named at once."""
        self.refuse(node, message, col=col)
        children = inside if inside is not None else list(ast.iter_child_nodes(node))
        for child in children:
            if isinstance(child, ast.expr):
                self.compile(child, depth + 1)

    # ----- the whitelist --------------------------------------------------------------------------------------
    def compile(self, node: ast.expr, depth: int) -> _Node | None:
        if depth > MAX_DEPTH:
            self.refuse(node, f"the expression is nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Attribute):
            self.refuse_tree(node, f"attribute access '.{node.attr}' is not allowed", depth, col=_dot_col(node))
            return None
        kind = _REFUSED_KINDS.get(type(node), f"{type(node).__name__} is")
        self.refuse_tree(node, f"{kind} not allowed: {self.text(node)}", depth)
        return None

    def constant(self, node: ast.Constant) -> _Node | None:
        value = node.value
        if isinstance(value, (str, bytes)):
            self.refuse(node, f"strings are not allowed: {self.text(node)}")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.refuse(node, f"{self.text(node)} is not allowed (only numbers)")
            return None
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number) or abs(number) > 1e300:
            self.refuse(node, f"the number {self.text(node)} is too large")
            return None
        return lambda env: number

    def name(self, node: ast.Name) -> _Node | None:
        ident = node.id
        if ident in self.names:
            self.used.add(ident)
            return lambda env: env[0][ident]
        if ident in CONSTANTS:
            number = CONSTANTS[ident]
            return lambda env: number
        if ident in FUNCTIONS:
            self.refuse(node, f"{ident} is a function: call it, as in {ident}(prediction)")
        elif ident.startswith("__"):
            self.refuse(node, f"name {ident!r} is not allowed (no name starting with __ ever is)")
        else:
            allowed = ", ".join([*sorted(self.names), *CONSTANTS])
            self.refuse(node, f"name {ident!r} is not allowed (allowed: {allowed})")
        return None

    def unary(self, node: ast.UnaryOp, depth: int) -> _Node | None:
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            self.refuse_tree(node, f"operator {_OPERATOR_TEXT.get(type(node.op), '?')} is not allowed", depth)
            return None
        operand = self.compile(node.operand, depth + 1)
        if operand is None:
            return None
        if isinstance(node.op, ast.UAdd):
            return operand
        return lambda env: -operand(env)

    def binary(self, node: ast.BinOp, depth: int) -> _Node | None:
        op = _BINARY.get(type(node.op))
        if op is None:
            symbol = _OPERATOR_TEXT.get(type(node.op), "?")
            self.refuse_tree(node, f"operator {symbol} is not allowed (allowed: + - * / **)", depth)
            return None
        symbol, fn = op
        left = self.compile(node.left, depth + 1)
        if symbol == "**" and not _small_number(node.right):
            self.refuse(
                node.right,
                f"the exponent of ** must be a plain number from -{MAX_EXPONENT} to "
                f"{MAX_EXPONENT}, got {self.text(node.right)}",
            )
            right = None
        else:
            right = self.compile(node.right, depth + 1)
        if left is None or right is None:
            return None
        label, where = self.text(node), self.where(node)[2]

        def run(env: _Env) -> Value:
            a, b = left(env), right(env)
            if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
                _check_broadcast(a, b, label, where)
            return _guarded(lambda: fn(a, b), label, where)

        return run

    def call(self, node: ast.Call, depth: int) -> _Node | None:
        func = node.func
        arguments = [*node.args, *(kw.value for kw in node.keywords)]
        if isinstance(func, ast.Attribute):
            self.refuse_tree(
                node,
                f"method calls such as '.{func.attr}(…)' are not allowed; write a function call such as sum(x)",
                depth,
                col=_dot_col(func),
                inside=[func.value, *arguments],
            )
            return None
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            called = func.id if isinstance(func, ast.Name) else self.text(func)
            inside = arguments if isinstance(func, ast.Name) else [func, *arguments]
            self.refuse_tree(
                node, f"function {called!r} is not allowed (functions: {', '.join(FUNCTIONS)})", depth, inside=inside
            )
            return None
        fname, spec = func.id, FUNCTIONS[func.id]
        given: dict[str, ast.expr] = {}
        ok = True
        if len(node.args) > len(spec.args):
            self.refuse(node, f"{fname} takes at most {len(spec.args)} arguments, got {len(node.args)}")
            ok = False
        for arg, value in zip(spec.args, node.args, strict=False):
            given[arg.name] = value
        known = {a.name: a for a in spec.args}
        for kw in node.keywords:
            if kw.arg is None:
                self.refuse(kw.value, f"** unpacking is not allowed in a call of {fname}")
                ok = False
            elif kw.arg not in known:
                keywords = ", ".join(a.name for a in spec.args[1:]) or "none"
                self.refuse(kw.value, f"{fname} has no keyword {kw.arg!r} (keywords: {keywords})")
                ok = False
            elif kw.arg in given:
                self.refuse(kw.value, f"{fname} got {kw.arg!r} twice")
                ok = False
            else:
                given[kw.arg] = kw.value
        for arg in spec.args:
            if arg.required and arg.name not in given:
                self.refuse(node, f"{fname} needs its argument {arg.name!r}: {spec.help}")
                ok = False
        if spec.one_of and not set(spec.one_of) & given.keys():
            self.refuse(node, f"{fname} needs {' or '.join(spec.one_of)}: {spec.help}")
            ok = False
        compiled: dict[str, tuple[Arg, Any]] = {}
        for arg in spec.args:
            if arg.name not in given:
                continue
            expr = given[arg.name]
            if arg.kind == "int":
                number = _int_literal(expr)
                if (
                    number is None
                    or (arg.min is not None and number < arg.min)
                    or (arg.max is not None and number > arg.max)
                ):
                    self.refuse(
                        expr,
                        f"{fname}: {arg.name} must be a whole number from {arg.min} to {arg.max}, "
                        f"got {self.text(expr)}",
                    )
                    ok = False
                compiled[arg.name] = (arg, number)
            else:
                sub = self.compile(expr, depth + 1)
                ok = ok and sub is not None
                compiled[arg.name] = (arg, sub)
        for extra in node.args[len(spec.args) :]:
            self.compile(extra, depth + 1)  # still name what is wrong inside
        if not ok:
            return None
        label, where, run_fn = self.text(node), self.where(node)[2], spec.run

        def run(env: _Env) -> Value:
            kwargs: dict[str, Any] = {}
            for name, (arg, value) in compiled.items():
                if arg.kind == "int":
                    kwargs[name] = value
                elif arg.kind == "tensor":
                    kwargs[name] = _as_tensor(value(env), env[1])
                else:
                    kwargs[name] = value(env)
            tensors = [v for v in kwargs.values() if isinstance(v, torch.Tensor)]
            if len(tensors) == 2 and all(compiled[n][0].kind == "tensor" for n in kwargs):  # minimum, maximum
                _check_broadcast(tensors[0], tensors[1], label, where)
            return _guarded(lambda: run_fn(**kwargs), label, where)

        return run

    def where(self, node: ast.AST, col: int | None = None) -> tuple[int, int, str]:
        """(line, 0-based column in the user's text, "column N" as the user reads it)."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) if col is None else col
        col += self.indent if line == 1 else 0
        return line, col, f"line {line}, column {col + 1}" if self.multiline else f"column {col + 1}"


def _dot_col(node: ast.Attribute) -> int | None:
    if node.end_lineno != node.lineno or node.end_col_offset is None:
        return None
    return node.end_col_offset - len(node.attr) - 1


def _int_literal(node: ast.expr) -> int | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return sign * node.value
    return None


def _small_number(node: ast.expr) -> bool:
    """An exponent we accept: a literal (optionally signed) number of magnitude ≤ MAX_EXPONENT."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    return isinstance(node.value, (int, float)) and abs(node.value) <= MAX_EXPONENT


def _as_tensor(value: Value, ref: torch.Tensor | None) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if ref is None:
        return torch.tensor(value)
    return torch.tensor(value, dtype=ref.dtype if ref.is_floating_point() else None, device=ref.device)


def _check_broadcast(a: torch.Tensor, b: torch.Tensor, label: str, where: str) -> None:
    """Refuse shapes that do not fit, and the silent trap of (N, 1) against (N,): an (N, N) table of every
    example paired with every other, whose mean is a wrong but finite loss."""
    try:
        shape = torch.broadcast_shapes(a.shape, b.shape)
    except RuntimeError:
        raise ExpressionError(
            f"{where}: in '{label}' the shapes {tuple(a.shape)} and {tuple(b.shape)} do not fit together"
        ) from None
    if math.prod(shape) > max(a.numel(), b.numel()):
        raise ExpressionError(
            f"{where}: in '{label}' the shapes {tuple(a.shape)} and {tuple(b.shape)} would "
            f"broadcast to {tuple(shape)}, pairing every element of one with every element of "
            "the other; make the shapes match"
        )


def _guarded(fn: Callable[[], Value], label: str, where: str) -> Value:
    """Run one op; a torch or arithmetic error becomes an ExpressionError that names the term."""
    try:
        return fn()
    except ExpressionError:
        raise
    except (RuntimeError, IndexError, ValueError, TypeError, ArithmeticError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExpressionError(f"{where}: '{label}' failed: {detail}") from None
