# W4: Python workloads timed inside Pyodide (bench/pyodide/child.mjs and the
# Chromium page run this file, then call run(reps)).
#
# Each workload does a fixed amount of work that goes through CPython's C
# function pointers (type slots, method tables, PyCFunction calls: in stock
# Pyodide through CPython's own trampoline, in the untrampolined build through
# plain call_indirect rewritten by our transform) and returns a value whose
# CRC-32 is its checksum: it must be the same for every build. Nothing depends
# on hash seeds, addresses or time.
import json
import re
import time
import zlib


def crc(value):
    return zlib.crc32(repr(value).encode())


# --- strings ------------------------------------------------------------------
def w_strings():
    out = 0
    words = "the quick brown fox jumps over the lazy dog".split()
    for i in range(18000):
        s = "{:>6}|{:<4}|{:08.3f}|{:x}".format(words[i % 9], i, i / 7, i)
        s = f"{s}-{i:+d}-{words[(i * 7) % 9]!r}"
        parts = s.replace("|", " ").split()
        t = "-".join(reversed(parts)).upper().strip("-")
        out += len(t) + t.count("O") + t.find("X") + len(s.encode("utf-8"))
        if t.startswith("THE") or t.endswith("0"):
            out += 1
        out += len(("%s:%05d" % (words[i % 9], i)).title())
    return out


# --- dicts --------------------------------------------------------------------
def w_dicts():
    total = 0
    keys = [f"key{i}" for i in range(500)]
    for r in range(400):
        d = {}
        for i, k in enumerate(keys):
            d[k] = i * r
        for k in keys[::3]:
            total += d.get(k, 0)
            if k in d:
                d[k] += 1
        d2 = {k: v for k, v in d.items() if v % 2}
        d.update(d2)
        for k in keys[::5]:
            d.pop(k, None)
        total += len(d) + sum(d.values()) % 1000003 + len(d2)
        total += len(sorted(d, key=d.__getitem__)[:10])
        s = set(d)
        total += len(s & set(keys[:100]))
    return total


# --- classes ------------------------------------------------------------------
class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    def __eq__(self, o):
        return self.x == o.x and self.y == o.y

    def __hash__(self):
        return self.x * 31 + self.y

    def __repr__(self):
        return f"Vec({self.x}, {self.y})"

    @property
    def norm1(self):
        return abs(self.x) + abs(self.y)


class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        return 0

    def describe(self):
        return self.name + ":" + str(self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, s):
        super().__init__(s, s)
        self.name = "square"


def w_classes():
    acc = Vec(0, 0)
    total = 0
    for i in range(30000):
        v = Vec(i % 17, -(i % 13)) * 2 + Vec(1, 1)
        acc = acc + v
        total += v.norm1 + (1 if v == Vec(1, 1) else 0) + hash(v) % 7
        sh = Rect(i % 5, 3) if i % 2 else Square(i % 7)
        total += len(sh.describe()) + isinstance(sh, Rect) + len(repr(v))
    return (acc.x, acc.y, total)


# --- builtins -----------------------------------------------------------------
def w_builtins():
    data = [(i * 7919) % 10007 for i in range(4000)]
    total = 0
    for r in range(30):
        total += sum(sorted(data, key=lambda x: -x)[:50])
        total += sum(map(abs, (x - 5000 for x in data)))
        total += len(list(filter(lambda x: x % 3 == 0, data)))
        total += max(data) + min(data) + len(set(data))
        total += sum(a * b for a, b in zip(data, reversed(data))) % 1000003
        total += sum(1 for x in data if isinstance(x, int))
        total += len("".join(map(str, data[:500])))
        total += sum(int(hex(x), 16) for x in data[:500])
        total += sum(divmod(x, 7)[1] for x in data[:1000])
        total += any(x > 10000 for x in data) + all(x >= 0 for x in data)
    return total


# --- json ---------------------------------------------------------------------
def w_json():
    doc = {
        "items": [
            {"id": i, "name": f"item-{i}", "tags": ["a", "b", str(i % 7)], "price": i * 1.25,
             "ok": i % 2 == 0, "meta": {"n": None, "u": "日本 ✓"}}
            for i in range(300)
        ],
        "title": "bench",
    }
    total = 0
    for r in range(50):
        text = json.dumps(doc, sort_keys=True)
        back = json.loads(text)
        total += len(text) + len(back["items"])
        total += len(json.dumps(back["items"][r % 300], indent=2))
    return (total, crc(json.dumps(doc, sort_keys=True)))


# --- re -----------------------------------------------------------------------
def w_re():
    text = " ".join(f"user{i}@host{i % 13}.example.org id={i} ts=2024-01-{i % 28 + 1:02d}" for i in range(400))
    email = re.compile(r"(?P<user>\w+)@(?P<host>[\w.]+)\.(?P<tld>[a-z]{2,})")
    total = 0
    for r in range(36):
        total += len(email.findall(text))
        total += len(re.sub(r"id=(\d+)", lambda m: str(int(m.group(1)) * 2), text))
        total += sum(m.end() - m.start() for m in re.finditer(r"\d{4}-\d{2}-\d{2}", text))
        total += len(re.split(r"[\s=]+", text))
        for m in email.finditer(text[:4000]):
            total += len(m.group("host")) + len(m.groupdict())
    return total


WORKLOADS = [
    ("strings", w_strings),
    ("dicts", w_dicts),
    ("classes", w_classes),
    ("builtins", w_builtins),
    ("json", w_json),
    ("re", w_re),
]


def run(reps=5):
    """Warms each workload up once, then times it `reps` times; returns JSON."""
    results = []
    for name, fn in WORKLOADS:
        checksum = crc(fn())
        samples = []
        for _ in range(reps):
            t = time.perf_counter()
            value = fn()
            samples.append((time.perf_counter() - t) * 1000)
            if crc(value) != checksum:
                checksum = f"unstable: {checksum} then {crc(value)}"
        results.append({"workload": name, "checksum": checksum, "samples": samples})
    return json.dumps(results)
