#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write COUNT mutated copies of a snapshot or timeline file to OUTDIR.

Each copy changes one to three values of the document: a value replaced by
one of another type or an extreme one, a key removed, an array emptied or
doubled, or raw bytes of the text flipped. The seed is fixed, so the run is
the same every time.

usage: mutate.py FILE OUTDIR COUNT
"""
import json
import random
import sys

ODD_VALUES = [None, True, False, 0, -1, 1.5, 2**31, 2**32, 2**63 - 1, -2**63,
              "", "x" * 300, "::", "0.0.0.0/0", "ff02::1/128", "1.2.3.4/33",
              "{6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8}", [], {}, [1, 2], {"a": 1}]


def paths(node, prefix=()):
    """Every (container, key) pair under node."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        yield node, key
        yield from paths(value, prefix + (key,))


def mutate(doc, rng):
    for _ in range(rng.randint(1, 3)):
        places = list(paths(doc))
        if not places:
            return
        container, key = rng.choice(places)
        action = rng.randrange(4)
        if action == 0:
            container[key] = rng.choice(ODD_VALUES)
        elif action == 1 and isinstance(container, dict):
            del container[key]
        elif action == 2 and isinstance(container[key], list):
            container[key] = container[key] * rng.choice([0, 2, 50])
        else:
            container[key] = rng.choice(ODD_VALUES)


def main():
    path, outdir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(4)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for i in range(count):
        if i % 5 == 4:
            raw = bytearray(text.encode())
            for _ in range(rng.randint(1, 4)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            out = bytes(raw)
        else:
            doc = json.loads(text)
            mutate(doc, rng)
            out = json.dumps(doc).encode()
        with open(f"{outdir}/{i:03d}.json", "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
