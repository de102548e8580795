"""Complementary cell suppression by linear programming, as statistical agencies do it.

Every released value (a cell or a total, at any granularity) is the sum of some
*base cells* ``x`` (the finest zone x interval counts): row ``q`` of a 0/1 matrix
``M``. An attacker knows every published value ``M_q x = v_q``, that counts are
``>= 0``, and which values were suppressed. For a suppressed sensitive value
``p`` the attacker can infer the interval ``[min M_p x, max M_p x]`` over that
feasible set (two linear programmes). The protection asks that interval to be
at least ``w_p`` wide (sliding protection, as in tau-ARGUS).

:func:`protect` adds suppressions until that holds for every sensitive value,
one at a time, with the classical LP heuristic (Fischetti and Salazar-Gonzalez;
Kelly, Golden and Assad): find two perturbations ``y+`` and ``y-`` of the base
cells, each keeping every count ``>= 0``, whose difference moves ``M_p`` by at
least ``w_p``, while changing published values as little as possible (cost: the
values they change, weighted by the value); suppress every published value they
change. Then ``x + y+`` and ``x + y-`` are both consistent with everything still
published, so the interval holds, and it keeps holding as more is suppressed
(fewer constraints only widen it): each sensitive value is protected once and
for good, and the result needs no second pass.

The perturbations are confined to a *block* of base cells (whole local days,
about :data:`BLOCK_CELLS` cells), so each programme stays small; a released value
that reaches outside the block constrains the block's part of it. Confining is
a restriction of the programme, never a relaxation: the guarantee is the same,
the suppression may be a little larger than with the whole table at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

__all__ = ["BLOCK_CELLS", "Release", "protect"]

#: The smallest number of base cells in a block (whole days are added until it is reached).
BLOCK_CELLS = 100
#: Relative margin on the width, so that solver round-off never leaves it short.
_MARGIN = 1e-6


@dataclass(frozen=True)
class Release:
    """Everything released, as sums of base cells.

    ``matrix`` (values x base cells, 0/1), ``cells`` (the base cells' true
    values), ``sensitive`` (values that must be protected: below their
    threshold), ``widths`` (the protection width of each), ``fixed`` (values
    released earlier: their status cannot change) and ``blocks`` (a block
    number per base cell).
    """

    matrix: sp.csr_matrix
    cells: np.ndarray
    sensitive: np.ndarray
    widths: np.ndarray
    fixed: np.ndarray
    blocks: np.ndarray


class Unprotectable(Exception):
    """A sensitive value that values published earlier already pin down."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value


@dataclass
class _Block:
    cells: np.ndarray  # base cell indices
    rows: np.ndarray  # released values touching the block
    part: sp.csr_matrix  # their restriction to the block
    pool: list[np.ndarray]  # perturbations found so far (block-local)


def _blocks(release: Release) -> dict[int, _Block]:
    csc = release.matrix.tocsc()
    out = {}
    for b in np.unique(release.blocks):
        cells = np.flatnonzero(release.blocks == b)
        part = csc[:, cells].tocsr()
        rows = np.flatnonzero(np.diff(part.indptr))
        out[int(b)] = _Block(cells, rows, part[rows], [])
    return out


def _home(release: Release, p: int) -> int:
    """The block holding most of the base cells of released value ``p``."""
    members = release.matrix.indices[release.matrix.indptr[p] : release.matrix.indptr[p + 1]]
    blocks, counts = np.unique(release.blocks[members], return_counts=True)
    return int(blocks[np.argmax(counts)])


def _solve(
    block: _Block,
    target: np.ndarray,
    width: float,
    base: np.ndarray,
    free: np.ndarray,
    pinned: np.ndarray,
    cost: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Cheapest perturbations ``y+``, ``y-`` with ``target @ (y+ - y-) >= width``.

    Variables ``[y+, y-, z]``: ``z`` bounds how much each ``free`` row changes
    in either perturbation (``|F y+| <= z``, ``|F y-| <= z``: a row changed by
    both is suppressed once) and costs ``cost`` per unit (those rows will be
    suppressed); ``pinned`` rows may not change (``P y = 0``); the other rows
    are suppressed already. Every count stays ``>= 0`` (``y >= -base``).
    Returns ``(y+, y-, change of each free row)``, or None when the pinned
    rows leave no room.
    """
    n = len(base)
    f = block.part[free]
    k = f.shape[0]
    eye = sp.identity(k, format="csr")
    a_ub = sp.bmat(
        [
            [f, None, -eye],
            [-f, None, -eye],
            [None, f, -eye],
            [None, -f, -eye],
            [
                sp.csr_matrix(-target[None, :]),
                sp.csr_matrix(target[None, :]),
                sp.csr_matrix((1, k)),
            ],
        ],
        format="csr",
    )
    b_ub = np.r_[np.zeros(4 * k), -width * (1 + _MARGIN) - _MARGIN]
    pin = block.part[pinned]
    a_eq = b_eq = None
    if pin.shape[0]:
        a_eq = sp.bmat(
            [[pin, None, sp.csr_matrix((pin.shape[0], k))], [None, pin, None]], format="csr"
        )
        b_eq = np.zeros(a_eq.shape[0])
    lower = np.r_[-base, -base, np.zeros(k)]
    result = linprog(
        np.r_[np.zeros(2 * n), cost[free]],
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=np.c_[lower, np.full(len(lower), np.inf)],
        method="highs",
    )
    if result.status != 0:
        return None
    up, down = result.x[:n], result.x[n : 2 * n]
    return up, down, np.maximum(np.abs(f @ up), np.abs(f @ down))


def protect(release: Release, suppressed: np.ndarray, costs: np.ndarray) -> int:
    """Suppress more released values, in place, until every sensitive one is protected.

    Parameters
    ----------
    release
        The released values as sums of base cells, which are sensitive, their
        widths and which were released earlier (``fixed``).
    suppressed
        Which released values are suppressed (every sensitive one is); updated.
    costs
        What suppressing each value costs (its value).

    Returns
    -------
    int
        The number of linear programmes solved.

    Raises
    ------
    Unprotectable
        For a sensitive value that values released earlier pin down.
    """
    blocks = _blocks(release)
    order = np.flatnonzero(release.sensitive)
    order = order[np.argsort(-release.widths[order], kind="stable")]
    solved = 0
    for p in order:
        block = blocks[_home(release, int(p))]
        target = block.part[np.searchsorted(block.rows, p)].toarray().ravel()
        width = float(release.widths[p])
        if _covered(block, target, width):
            continue
        hidden = suppressed[block.rows]
        free = ~hidden & ~release.fixed[block.rows]
        pinned = ~hidden & release.fixed[block.rows]
        if _open_cell(block, target, hidden):
            continue
        solution = _solve(
            block, target, width, release.cells[block.cells], free, pinned, costs[block.rows]
        )
        solved += 1
        if solution is None:
            raise Unprotectable(int(p))
        up, down, change = solution
        tol = 1e-7 * max(1.0, width)
        suppressed[block.rows[free][change > tol]] = True
        block.pool.extend([up, down])
    return solved


def _covered(block: _Block, target: np.ndarray, width: float) -> bool:
    """Whether perturbations found earlier already move ``target`` by ``width``."""
    if not block.pool:
        return False
    moves = np.r_[0.0, np.stack(block.pool) @ target]
    return bool(moves.max() - moves.min() >= width * (1 + _MARGIN))


def _open_cell(block: _Block, target: np.ndarray, hidden: np.ndarray) -> bool:
    """Whether a base cell of the target lies in suppressed values only (unbounded above)."""
    published = block.part[~hidden][:, np.flatnonzero(target)]
    return bool(np.any(published.getnnz(axis=0) == 0))
