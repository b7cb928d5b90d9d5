# Deterministic Python workload for the Pyodide flagship test.
#
# One line per check, "<area>.<name>: <value>". Nothing here depends on hash
# seeds, addresses, time or the temp dir. Lines starting with "DEPTH:" report
# how deep recursion got before RecursionError; they depend on the stack use
# of the build, and tests compare everything except them.
#
# Every area goes through CPython's C function pointers (type slots, method
# tables, PyCFunction calls), i.e. through _PyEM_TrampolineCall in stock
# Pyodide and through call_indirect in an untrampolined build.
import sys


def check(name, value):
    print(f"{name}: {value!r}" if not isinstance(value, str) else f"{name}: {value}")


def area(name, fn):
    try:
        fn()
    except Exception as e:  # keep going; the mismatch shows up in the diff
        print(f"{name}: FAILED {type(e).__name__}: {e}")


# --- strings -----------------------------------------------------------------
def strings():
    check("str.format", "{:>8}|{:<6}|{:^7}|{:08.3f}|{:x}|{:,}".format("right", "left", "mid", 3.14159, 255, 1234567))
    check("str.fstring", f"{'pad':*^9} {42:+d} {0.5:.1%} {12345678:_} {'q'!r}")
    check("str.percent", "%s-%05d-%.2e-%r" % ("a", 42, 12345.678, "b"))
    words = "the quick  brown fox\tjumps\nover".split()
    check("str.split", words)
    check("str.split.sep", "a,b,,c".split(","))
    check("str.rsplit", "k=v=w".rsplit("=", 1))
    check("str.join", "-".join(reversed(words)))
    check("str.methods", ["Hello".upper(), "HeLLo".casefold(), "  x ".strip(), "abc".replace("b", "BB"),
                          "title case words".title(), "abcabc".find("c", 3), "x".zfill(4), "ab".center(6, ".")])
    s = "naïve café — 日本語 ✓ 🐍"
    check("unicode.len", len(s))
    check("unicode.encode", s.encode("utf-8").hex())
    check("unicode.roundtrip", s.encode("utf-16-le").decode("utf-16-le") == s)
    check("unicode.upper", s.upper())
    check("unicode.ord", [ord(c) for c in "é日🐍"])
    import unicodedata
    check("unicode.name", [unicodedata.name(c) for c in "é✓🐍"])
    check("unicode.normalize", [len(unicodedata.normalize(f, "é")) for f in ("NFC", "NFD")])
    check("str.slicing", ("abcdefgh"[1:7:2], "abcdefgh"[::-1], "abc" * 3))
    check("bytes.ops", (b"abc" + bytes([0, 255]), bytearray(b"xyz").upper(), b"a b".split()))


# --- dicts -------------------------------------------------------------------
def dicts():
    squares = {n: n * n for n in range(10) if n % 2}
    check("dict.comprehension", squares)
    d = {}
    for k in ["zeta", "alpha", "mu", "beta"]:
        d[k] = len(k)
    check("dict.order", list(d))
    d.update({"alpha": 100, "omega": 5}, extra=1)
    check("dict.update", d)
    del d["mu"]
    d["mu"] = 0
    check("dict.reinsert", list(d.items()))
    check("dict.merge", {"a": 1, "b": 2} | {"b": 3, "c": 4})
    check("dict.get", (d.get("nope", "dflt"), d.setdefault("new", []), d.pop("zeta")))
    from collections import Counter, OrderedDict, defaultdict
    check("dict.counter", Counter("mississippi").most_common(3))
    dd = defaultdict(list)
    for i, w in enumerate("one two three four five six".split()):
        dd[len(w)].append(i)
    check("dict.defaultdict", dict(dd))
    od = OrderedDict.fromkeys("abcde")
    od.move_to_end("b")
    check("dict.ordereddict", list(od))
    check("dict.sorted_items", sorted({"b": 2, "a": 1, "c": 0}.items(), key=lambda kv: kv[1]))


# --- classes -----------------------------------------------------------------
class Temperature:
    __slots__ = ("_celsius",)

    def __init__(self, celsius):
        self._celsius = celsius

    @property
    def celsius(self):
        return self._celsius

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._celsius = value

    @property
    def fahrenheit(self):
        return self._celsius * 9 / 5 + 32

    def __repr__(self):
        return f"Temperature({self._celsius})"

    def __eq__(self, other):
        return isinstance(other, Temperature) and other._celsius == self._celsius

    def __lt__(self, other):
        return self._celsius < other._celsius

    def __hash__(self):
        return hash(self._celsius)


class Shape:
    sides = 0

    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError

    def describe(self):
        return f"{self.name} with {self.sides} sides, area {self.area():.2f}"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.registered = True


class Rect(Shape):
    sides = 4

    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, s):
        super().__init__(s, s)
        self.name = "square"


class Mixin:
    def describe(self):
        return "mixin:" + super().describe()


class Fancy(Mixin, Square):
    pass


def classes():
    t = Temperature(25)
    check("class.property", (t.celsius, t.fahrenheit))
    t.celsius = 100
    check("class.setter", t)
    try:
        t.celsius = -300
    except ValueError as e:
        check("class.setter.error", str(e))
    try:
        t.other = 1
    except AttributeError as e:
        check("class.slots.error", type(e).__name__)
    check("class.slots", (Temperature.__slots__, hasattr(t, "__dict__")))
    check("class.sorted", sorted([Temperature(3), Temperature(-1), Temperature(2)]))
    check("class.eq_hash", (Temperature(1) == Temperature(1), len({Temperature(1), Temperature(1)})))
    shapes = [Rect(2, 3), Square(4), Fancy(1.5)]
    check("class.inherit", [s.describe() for s in shapes])
    check("class.mro", [c.__name__ for c in Fancy.__mro__])
    check("class.isinstance", (isinstance(shapes[2], Rect), issubclass(Square, Shape), Square.registered))
    check("class.dunder", (repr(Temperature(7)), Temperature(1) < Temperature(2)))

    class Vec:
        def __init__(self, *c):
            self.c = c

        def __add__(self, o):
            return Vec(*(a + b for a, b in zip(self.c, o.c)))

        def __mul__(self, k):
            return Vec(*(a * k for a in self.c))

        __rmul__ = __mul__

        def __len__(self):
            return len(self.c)

        def __getitem__(self, i):
            return self.c[i]

        def __iter__(self):
            return iter(self.c)

        def __repr__(self):
            return f"Vec{self.c}"

    v = Vec(1, 2, 3) + Vec(10, 20, 30)
    check("class.operators", (v, 2 * v, len(v), v[1], list(v), v[-1]))
    from dataclasses import dataclass, field

    @dataclass(order=True, frozen=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple = field(default=(), compare=False)

    check("class.dataclass", (sorted([Point(2, 1), Point(1, 5), Point(1, 2)]), Point(1) == Point(1, 0, ("t",))))
    import enum

    class Color(enum.Enum):
        RED = 1
        GREEN = 2

    check("class.enum", (Color(2), Color["RED"].value, [c.name for c in Color]))


# --- builtins ----------------------------------------------------------------
def builtins_():
    people = [("carol", 35), ("alice", 30), ("bob", 30), ("dave", 25)]
    check("builtin.sorted.key", sorted(people, key=lambda p: (p[1], p[0])))
    check("builtin.sorted.reverse", sorted(["b", "A", "c", "B"], key=str.lower, reverse=True))
    check("builtin.map", list(map(lambda x: x ** 2, range(6))))
    check("builtin.map2", list(map(pow, [2, 3, 4], [5, 2, 1])))
    check("builtin.filter", list(filter(lambda x: x % 3 == 0, range(20))))
    check("builtin.filter.none", list(filter(None, [0, 1, "", "a", None, [], [0]])))
    check("builtin.zip", list(zip("abc", range(10), [True, False, True])))
    check("builtin.enumerate", list(enumerate("xyz", start=5)))
    check("builtin.sum", (sum(range(101)), sum([0.1] * 10), sum([[1], [2, 3]], [])))
    check("builtin.minmax", (min(people, key=lambda p: p[1]), max("hello"), min(3, 1, 2), max([], default=None)))
    check("builtin.any_all", (any(x > 3 for x in range(5)), all([1, "a", [0]])))
    check("builtin.misc", (abs(-7), divmod(17, 5), round(2.675, 2), pow(3, 4, 5), int("ff", 16), hex(4096),
                           bin(10), chr(9731), isinstance(True, int), len(range(3, 30, 4))))
    check("builtin.reversed", list(reversed(range(5))))
    import functools
    import itertools
    import operator
    check("builtin.reduce", functools.reduce(operator.mul, range(1, 11)))
    check("builtin.itertools", (list(itertools.accumulate([1, 2, 3, 4])), list(itertools.combinations("abcd", 2))[:4],
                                list(itertools.islice(itertools.cycle("ab"), 5)),
                                [(k, len(list(g))) for k, g in itertools.groupby("aaabccdd")]))
    check("builtin.partial", functools.partial(int, base=2)("101101"))
    check("builtin.lru", (lambda f: [f(n) for n in range(20)][-1])(functools.lru_cache(None)(lambda n: n)))
    check("builtin.bigint", (2 ** 200, 3 ** 100 % 1000007, (10 ** 30) // 7))
    check("builtin.float", (1e300 * 10, 0.1 + 0.2, float("nan") != float("nan"), (2.5).as_integer_ratio()))
    check("builtin.generator", list(x * y for x in range(3) for y in range(3) if x != y))
    check("builtin.set", sorted({1, 2, 3} ^ {2, 3, 4} | {10}))


# --- json --------------------------------------------------------------------
def json_():
    import json
    doc = {"name": "Pyodide", "version": [3, 14], "nested": {"ok": True, "none": None, "pi": 3.14159},
           "unicode": "日本 ✓", "list": [1, 2.5, "three", [4]], "empty": {}}
    text = json.dumps(doc, sort_keys=True)
    check("json.dumps", text)
    check("json.ascii", json.dumps("日本", ensure_ascii=True))
    check("json.indent", json.dumps({"b": [1, 2], "a": None}, indent=2, sort_keys=True).splitlines())
    check("json.roundtrip", json.loads(text) == doc)
    check("json.loads", json.loads('{"x": [1, 2, {"y": "z"}], "f": 1e3, "t": true}'))
    try:
        json.loads("{bad json}")
    except json.JSONDecodeError as e:
        check("json.error", (e.msg, e.pos))

    class Enc(json.JSONEncoder):
        def default(self, o):
            if isinstance(o, set):
                return sorted(o)
            return super().default(o)

    check("json.encoder", json.dumps({"s": {3, 1, 2}}, cls=Enc))
    check("json.hook", json.loads('{"a": 1, "b": 2}', object_pairs_hook=lambda kv: [k for k, _ in kv]))


# --- re ----------------------------------------------------------------------
def re_():
    import re
    m = re.match(r"(?P<user>\w+)@(?P<host>[\w.]+)\.(?P<tld>[a-z]{2,})", "alice@mail.example.org")
    check("re.groups", (m.groups(), m.group("host"), m.groupdict(), m.span("tld")))
    check("re.sub", re.sub(r"(\d+)", lambda mm: str(int(mm.group(1)) * 2), "a1b22c333"))
    check("re.sub.backref", re.sub(r"(\w+) (\w+)", r"\2 \1", "hello world foo bar"))
    check("re.findall", re.findall(r"\b\w*o\w*\b", "foo bar boo zap hello"))
    check("re.findall.groups", re.findall(r"(\w)=(\d)", "a=1, b=2, c=3"))
    check("re.finditer", [mm.start() for mm in re.finditer(r"ss", "mississippi")])
    check("re.split", re.split(r"[,;]\s*", "a, b;c;  d"))
    check("re.flags", re.findall(r"^x.", "xa\nXb\nxc", re.M | re.I))
    check("re.unicode", re.findall(r"\w+", "naïve 日本語 café"))
    check("re.fullmatch", (bool(re.fullmatch(r"[0-9a-f]+", "deadbeef")), re.fullmatch(r"a+", "aab")))
    check("re.compile", re.compile(r"(a)(b)?").sub(r"[\1|\2]", "ab a"))


# --- decimal -----------------------------------------------------------------
def decimal_():
    import decimal
    from decimal import Decimal, localcontext
    check("decimal.impl", decimal.__name__ + ("/C" if hasattr(decimal, "HAVE_CONTEXTVAR") else ""))
    check("decimal.add", Decimal("0.1") + Decimal("0.2"))
    with localcontext() as ctx:
        ctx.prec = 50
        check("decimal.div50", Decimal(1) / Decimal(7))
        check("decimal.sqrt50", Decimal(2).sqrt())
    with localcontext() as ctx:
        ctx.prec = 6
        ctx.rounding = decimal.ROUND_HALF_EVEN
        check("decimal.prec6", (Decimal("3.14159265") * 2, Decimal(10) / 3, +Decimal("2.5000005")))
    check("decimal.quantize", Decimal("2.675").quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))
    check("decimal.ops", (Decimal("1.30") * 3, Decimal(-7) // 2, Decimal(-7) % 2, Decimal("1e-3").as_tuple()))
    check("decimal.compare", sorted([Decimal("1.10"), Decimal("1.1"), Decimal("0.99")]))
    try:
        Decimal(1) / 0
    except decimal.DivisionByZero as e:
        check("decimal.divzero", type(e).__name__)
    from fractions import Fraction
    check("fraction", (Fraction(3, 4) + Fraction(1, 6), Fraction("0.125"), Fraction(1, 3) ** 2))


# --- sqlite3 -----------------------------------------------------------------
def sqlite_():
    # sqlite3 ships with the npm package: _sqlite3 is linked into
    # pyodide.asm.wasm and the sqlite3 package is in python_stdlib.zip.
    import sqlite3
    con = sqlite3.connect(":memory:")
    cur = con.cursor()
    cur.execute("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT, age REAL)")
    cur.executemany("INSERT INTO pets (name, kind, age) VALUES (?, ?, ?)",
                    [("Rex", "dog", 3.5), ("Tom", "cat", 7), ("Kiwi", "bird", 1.25), ("Fido", "dog", 10)])
    con.commit()
    check("sqlite.select", cur.execute("SELECT id, name, age FROM pets WHERE kind = ? ORDER BY age", ("dog",)).fetchall())
    check("sqlite.aggregate", cur.execute("SELECT kind, COUNT(*), SUM(age) FROM pets GROUP BY kind ORDER BY kind").fetchall())
    con.create_function("shout", 1, lambda s: s.upper() + "!")
    check("sqlite.udf", cur.execute("SELECT shout(name) FROM pets ORDER BY id").fetchall())
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM pets WHERE name = 'Tom'").fetchone()
    check("sqlite.row", (row.keys(), row["age"]))
    try:
        con.execute("INSERT INTO pets (name) VALUES (NULL)")
    except sqlite3.IntegrityError as e:
        check("sqlite.integrity", str(e))
    con.close()


# --- exceptions --------------------------------------------------------------
class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(f"[{code}] {msg}")
        self.code = code


class NotFound(AppError):
    pass


def exceptions():
    log = []

    def risky(n):
        try:
            log.append(f"try{n}")
            if n == 1:
                raise NotFound(404, "missing")
            if n == 2:
                return 1 / 0
            return "ok"
        except ZeroDivisionError as e:
            log.append(f"zde:{e}")
            return "recovered"
        finally:
            log.append(f"finally{n}")

    results = []
    for n in range(3):
        try:
            results.append(risky(n))
        except AppError as e:
            results.append((type(e).__name__, e.code, str(e), isinstance(e, AppError)))
    check("exc.flow", results)
    check("exc.log", log)
    try:
        try:
            {}["key"]
        except KeyError as e:
            raise AppError(500, "wrapped") from e
    except AppError as e:
        check("exc.chain", (repr(e.__cause__), e.__suppress_context__))
    import traceback

    def inner():
        raise ValueError("deep problem")

    def outer():
        inner()

    try:
        outer()
    except ValueError:
        tb = traceback.format_exc()
    lines = tb.strip().splitlines()
    check("exc.traceback.last", lines[-1])
    check("exc.traceback.frames", [ln.strip().split(", in ")[-1] for ln in lines if ln.strip().startswith("File")])
    try:
        raise ExceptionGroup("many", [ValueError("v"), TypeError("t"), ValueError("w")])
    except* ValueError as eg:
        check("exc.group.value", sorted(str(x) for x in eg.exceptions))
    except* TypeError as eg:
        check("exc.group.type", [str(x) for x in eg.exceptions])
    e = ValueError("note me")
    e.add_note("extra context")
    check("exc.notes", traceback.format_exception_only(e))
    try:
        int("x12")
    except ValueError as err:
        check("exc.builtin_msg", str(err))
    try:
        None.attr
    except AttributeError as err:
        check("exc.attr_msg", str(err))

    class Ctx:
        def __enter__(self):
            log.append("enter")
            return self

        def __exit__(self, et, ev, tb):
            log.append(f"exit:{et.__name__ if et else None}")
            return et is KeyError

    with Ctx():
        raise KeyError("swallowed")
    check("exc.context_manager", log[-2:])


# --- recursion depth probe (ignored by the comparison) ------------------------
def depth_probe():
    # Pure Python recursion: in CPython 3.14 these calls stay inside the
    # interpreter loop, so this reaches the recursion limit on every build.
    # Recursion through C (map, json, repr of nested lists) can exhaust V8's
    # native stack first, which is a fatal RangeError for the whole process,
    # not a RecursionError; that probe lives in depth.py.
    depth = 0

    def plain(n):
        nonlocal depth
        depth = n
        plain(n + 1)

    try:
        plain(1)
    except RecursionError:
        pass
    print(f"DEPTH: python {depth} (limit {sys.getrecursionlimit()})")


for name, fn in [("strings", strings), ("dicts", dicts), ("classes", classes), ("builtins", builtins_),
                 ("json", json_), ("re", re_), ("decimal", decimal_), ("sqlite3", sqlite_),
                 ("exceptions", exceptions)]:
    area(name, fn)
depth_probe()
print("suite: done")
