"""A tree as an indented outline, for `decisiontrees show`.

Shared subtrees are printed once: the first occurrence is tagged ``[shared #n]`` and later
ones say ``(see #n)``; a subtree that is a tree of the spec is called by its name.
"""

from __future__ import annotations

from collections.abc import Mapping

from decisiontrees.model.nodes import Chance, Choice, Leaf, Node, postorder


def outline(name: str, tree: Node, names: Mapping[int, str] | None = None) -> str:
    """
    >>> from decisiontrees.model.nodes import choice, uniform
    >>> print(outline("t", choice({"stay": "home", "go": uniform(["rain", "sun"])})))
    tree t: choice
      stay: home
      go: chance
        1/2: rain
        1/2: sun

    ``names`` maps ``id(node)`` to the names of the spec's trees.
    """
    names = names or {}
    parents: dict[int, int] = {}
    for node in postorder(tree):
        for child in node.children:
            parents[id(child)] = parents.get(id(child), 0) + 1
    tags: dict[int, str] = {}
    lines: list[str] = []
    stack: list[tuple[str, Node, int]] = [(f"tree {name}: ", tree, 0)]
    while stack:
        prefix, node, depth = stack.pop()
        indent = "  " * depth
        if isinstance(node, Leaf):
            lines.append(f"{indent}{prefix}{node.outcome}")
            continue
        kind = "choice" if isinstance(node, Choice) else "chance"
        named = names.get(id(node)) if node is not tree else None
        if id(node) in tags:
            lines.append(f"{indent}{prefix}{tags[id(node)]}")
            continue
        if named is not None:
            tags[id(node)] = f"{named} (as above)"
            lines.append(f"{indent}{prefix}{kind} (tree {named})")
        elif parents.get(id(node), 0) > 1:
            number = sum(1 for tag in tags.values() if "(see #" in tag) + 1
            tags[id(node)] = f"{kind} (see #{number})"
            lines.append(f"{indent}{prefix}{kind} [shared #{number}]")
        else:
            lines.append(f"{indent}{prefix}{kind}")
        if isinstance(node, Choice):
            labels = [f"{a}: " for a in node.actions]
        else:
            assert isinstance(node, Chance)
            labels = [f"{p}: " for p in node.probabilities]
        for label, child in reversed(list(zip(labels, node.children))):
            stack.append((label, child, depth + 1))
    return "\n".join(lines)
