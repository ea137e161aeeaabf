"""A tree as an indented outline, for `decisiontrees show`.

Shared subtrees are printed once: the first occurrence is tagged ``[shared #n]`` and later
ones say ``(see #n)``.
"""

from __future__ import annotations

from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, postorder


def outline(name: str, tree: Node) -> str:
    """
    >>> from decisiontrees.model.nodes import choice, uniform
    >>> print(outline("t", choice({"stay": "home", "go": uniform(["rain", "sun"])})))
    tree t: choice
      stay: home
      go: chance
        1/2: rain
        1/2: sun
    """
    parents: dict[int, int] = {}
    for node in postorder(tree):
        for child in node.children:
            parents[id(child)] = parents.get(id(child), 0) + 1
    tags: dict[int, int] = {}
    lines: list[str] = []
    stack: list[tuple[str, Node, int]] = [(f"tree {name}: ", tree, 0)]
    while stack:
        prefix, node, depth = stack.pop()
        indent = "  " * depth
        if isinstance(node, Leaf):
            lines.append(f"{indent}{prefix}{node.outcome}")
            continue
        kind = "choice" if isinstance(node, Choice) else "chance"
        if id(node) in tags:
            lines.append(f"{indent}{prefix}{kind} (see #{tags[id(node)]})")
            continue
        tag = ""
        if parents.get(id(node), 0) > 1:
            tags[id(node)] = len(tags) + 1
            tag = f" [shared #{tags[id(node)]}]"
        lines.append(f"{indent}{prefix}{kind}{tag}")
        if isinstance(node, Choice):
            labels = [f"{a}: " for a in node.actions]
        else:
            assert isinstance(node, Chance)
            labels = [f"{p}: " for p in node.probabilities]
        for label, child in reversed(list(zip(labels, node.children))):
            stack.append((label, child, depth + 1))
    return "\n".join(lines)
