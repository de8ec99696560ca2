#!/usr/bin/env python3
"""The top-level module graph of src/ (issue 26): `use crate::x` between src/x and src/y, test
modules aside, and the circles among them (Tarjan). Exit 1 while there is a circle.

    python3 tools/module_graph.py [src]
"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
mods = set()
for e in os.listdir(root):
    if e.endswith('.rs') and e not in ('lib.rs', 'main.rs'):
        mods.add(e[:-3])
    elif os.path.isdir(os.path.join(root, e)):
        mods.add(e)
edges = {m: set() for m in mods}
def strip_tests(text):
    # drop `#[cfg(test)] mod tests { ... }` blocks (brace matching)
    out, i = [], 0
    for m in re.finditer(r'#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{', text):
        if m.start() < i: continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while depth and j < len(text):
            depth += {'{': 1, '}': -1}.get(text[j], 0); j += 1
        i = j
    out.append(text[i:])
    return ''.join(out)
for m in mods:
    p = os.path.join(root, m)
    files = [p + '.rs'] if os.path.isfile(p + '.rs') else [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if f.endswith('.rs')]
    for f in files:
        t = strip_tests(open(f, encoding='utf-8').read())
        t = re.sub(r'//[^\n]*', '', t)
        for n in re.findall(r'crate::(\w+)', t):
            if n in mods and n != m: edges[m].add(n)
        for grp in re.findall(r'crate::\{([^}]*)\}', t):
            for n in re.findall(r'(?:^|,)\s*(\w+)', grp):
                if n in mods and n != m: edges[m].add(n)
# Tarjan
index, low, stack, on, sccs, c = {}, {}, [], set(), [], [0]
def sc(v):
    index[v] = low[v] = c[0]; c[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
sys.setrecursionlimit(10000)
for v in sorted(mods):
    if v not in index: sc(v)
for m in sorted(mods):
    print(f"{m:10} -> {', '.join(sorted(edges[m])) or '-'}")
cyc = [sorted(s) for s in sccs if len(s) > 1]
print("circles:", cyc if cyc else "none")
sys.exit(1 if cyc else 0)
