"""An MDP as a Graphviz picture: states, actions and their probabilities; with a reward
function, each state's optimal value and its optimal actions drawn bold; with POWER values,
each state's POWER.

States are ellipses (the start doubled, absorbing states grey boxes). An action with one
certain successor is an arrow labelled with its name; any other action is a small dot, from
which arrows labelled with probabilities lead to the next states.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from decisiontrees.analyses import mdp as analysis
from decisiontrees.analyses import occupancy
from decisiontrees.analyses.plans import node_values
from decisiontrees.model.mdp import MDP
from decisiontrees.model.nodes import Choice
from decisiontrees.render.dot import _header, _quote


def optimal_actions(mdp: MDP, reward: Mapping[str, Fraction]
                    ) -> dict[str, tuple[Fraction, tuple[str, ...]]]:
    """Each state's normalised optimal value ``(1 − γ)V*(s)`` and its optimal actions, exact:
    by policy iteration for a numeric mdp with an infinite horizon, else from each state's
    tree of visit distributions."""
    if mdp.horizon is None and isinstance(mdp.gamma, Fraction) and mdp.numeric_transitions():
        return occupancy.optimal_actions(mdp, reward)
    found = {}
    for state in mdp.states:
        tree = analysis.state_tree(mdp, state)
        values = node_values(tree, reward)
        best = values[id(tree)]
        if isinstance(tree, Choice):
            actions = tuple(a for a, c in zip(tree.actions, tree.children) if values[id(c)] == best)
        else:
            actions = tuple(a for a, _ in mdp.actions[state])
        found[state] = (best, actions)
    return found


def mdp_to_dot(mdp: MDP, reward: Mapping[str, Fraction] | None = None,
               powers: Mapping[str, str] | None = None, how: str = "") -> str:
    """The MDP as DOT text (deterministic), drawn left to right; ``powers`` labels states
    with their POWER as written, ``how`` says how it was found (in the title)."""
    best = optimal_actions(mdp, reward) if reward is not None else {}
    lines = _header(mdp.name, "LR")
    title = f"{mdp.name}: γ = {mdp.gamma}" + (f", horizon {mdp.horizon}" if mdp.horizon else "") \
        + (", V = (1 − γ)·V*, bold: optimal actions" if reward is not None else "") \
        + (f", POWER ({how})" if powers is not None else "")
    lines.append(f"  label={_quote(title)}; labelloc=t;")
    names = {state: f"s{k}" for k, state in enumerate(mdp.states)}
    for state in mdp.states:
        label = [state]
        if reward is not None:
            value, _ = best[state]
            label.append(f"r = {reward[state]}, V = {value}")
        if powers is not None and state in powers:
            label.append(f"POWER = {powers[state]}")
        shape = "box, style=filled, fillcolor=gray90" if state in mdp.absorbing else \
            "doublecircle" if state == mdp.start else "ellipse"
        lines.append(f"  {names[state]} [shape={shape}, label={_quote(*label)}];")
    for state in mdp.states:
        chosen = best[state][1] if reward is not None else ()
        for number, (action, transition) in enumerate(mdp.actions[state]):
            if state in mdp.absorbing and len(transition) == 1:
                continue  # the absorbing loop says nothing the grey box does not
            bold = ", penwidth=2.5" if action in chosen else ""
            if len(transition) == 1:
                (_, target), = transition
                lines.append(f"  {names[state]} -> {names[target]} [label={_quote(action)}{bold}];")
                continue
            point = f"{names[state]}a{number}"
            lines.append(f"  {point} [shape=point, width=0.08, label=\"\"];")
            lines.append(f"  {names[state]} -> {point} [label={_quote(action)}, "
                         f"arrowhead=none{bold}];")
            for probability, target in transition:
                lines.append(f"  {point} -> {names[target]} [label={_quote(str(probability))}, "
                             "style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"
