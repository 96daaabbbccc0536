"""L-BFGS for many independent logistic problems solved side by side.

A one-vs-rest model is ten binary problems on the same inputs. Solving them together turns ten thin
matrix-vector products into one matrix-matrix product per iteration, which is where the speed comes
from. Each problem still keeps its own curvature memory, step length and stopping test, so the result
is the same as solving them one at a time.

The objective of problem ``k`` is the mean logistic loss plus ``alpha / 2 * ||w_k||^2`` (the intercept
is not penalised), matching scikit-learn's ``LogisticRegression(C=1 / (n * alpha))``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from model.threads import row_blocks, row_parallel

ARMIJO = 1e-4  # sufficient decrease a step must show
# OpenBLAS multiplies matrices with m * n * k up to 10^6 by a small-matrix kernel that skips
# repacking its operands (on AVX-512 machines; elsewhere blocks of this size cost nothing extra).
SMALL_PRODUCT = 900_000
SUBS_PER_CHUNK = 8  # small products per chunk of rows: a chunk (about 3 MB on MNIST) stays in cache


@dataclass
class LbfgsResult:
    coef: np.ndarray  # (n_features, n_problems)
    intercept: np.ndarray  # (n_problems,)
    n_iter: int
    loss: np.ndarray  # (n_problems,)
    converged: np.ndarray  # (n_problems,) bool


def _log1pexp(z: np.ndarray) -> np.ndarray:
    """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: exact, and about ten times faster than
    ``np.logaddexp(0, z)`` in float32, whose scalar loop otherwise dominates every loss evaluation."""
    out = np.abs(z)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0)
    return out


class _Objective:
    """Loss and gradient of K penalised logistic problems on one design matrix, in one pass over X.

    Each evaluation reads X once: a few hundred rows at a time, it computes their scores, their
    residuals and their share of the gradient while those rows are still in the CPU cache. Reading X
    twice (once for the scores, once for the gradient) took twice as long on MNIST. The rows are
    split into blocks, one per thread, each multiplied by single-threaded BLAS (see
    :func:`model.threads.row_parallel`).
    """

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        alpha: float,
        sample_weight: np.ndarray | None,
        pool: ThreadPoolExecutor | None = None,
        n_blocks: int = 1,
        offset: np.ndarray | None = None,
    ) -> None:
        self.X = X
        self.Y = Y.astype(X.dtype, copy=False)
        self.offset = None if offset is None else np.asarray(offset, dtype=X.dtype)
        self.alpha = alpha
        n = len(X)
        w = np.ones(n, dtype=np.float64) if sample_weight is None else sample_weight
        self.weight = (w / w.sum()).astype(X.dtype)[:, None]  # weights sum to one: a weighted mean
        self.pool = pool
        # Rows per product: the most that keep (rows x d) @ (d x K) on OpenBLAS's small-matrix path,
        # which does not repack X (faster than one call for a whole tall, thin product, which does).
        self.sub_rows = int(np.clip(SMALL_PRODUCT // max(1, X.shape[1] * self.Y.shape[1]), 8, 4096))
        self.chunk_rows = self.sub_rows * SUBS_PER_CHUNK
        self.blocks = row_blocks(n, 1 if pool is None else n_blocks)

    def evaluate(
        self,
        theta: np.ndarray,
        cols: np.ndarray,
        known: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores, losses and gradients of the problems ``cols`` at ``theta[:, cols]``.

        ``theta`` is ``[coef; intercept]``, shape (d + 1, K). Returns ``Z`` (n, len(cols)) in X's dtype,
        the losses (len(cols),) and the gradients (d + 1, len(cols)), both in float64.

        ``known = (more_cols, their_Z)`` adds problems whose scores at ``theta`` are already known
        (after a backtracked step, see :func:`_backtrack`): the same pass over X gives their gradients
        too, and they come after ``cols`` in what is returned.
        """
        X = self.X
        extra, Z_known = (np.zeros(0, dtype=np.intp), None) if known is None else known
        every = np.concatenate([cols, extra]).astype(np.intp)
        Y = self._targets(every)
        coef = theta[:-1, every].astype(X.dtype)
        intercept = theta[-1, every].astype(X.dtype)
        coef[:, len(cols) :] = 0.0  # their scores are copied in, not multiplied out
        Z = np.empty((len(X), len(every)), dtype=X.dtype)
        R = np.empty_like(Z)

        offset = None if self.offset is None else self._columns(self.offset, every)

        def run(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            weight = self.weight
            g_coef = _fused_block(
                X, Y, weight, coef, intercept, Z, R, rows, self.sub_rows, self.chunk_rows, offset, Z_known
            )
            g_int = R[rows].sum(axis=0, dtype=np.float64)
            return g_coef, g_int, _data_loss(Z[rows], Y[rows], weight[rows])

        parts = [run(self.blocks[0])] if self.pool is None else list(self.pool.map(run, self.blocks))
        g_coef, g_int, loss = (np.sum(values, axis=0) for values in zip(*parts, strict=True))
        penalty = theta[:-1, every]
        g_coef = g_coef.T + self.alpha * penalty
        loss += 0.5 * self.alpha * (penalty**2).sum(axis=0)
        return Z, loss, np.vstack([g_coef, g_int[None, :]])

    def _targets(self, cols: np.ndarray) -> np.ndarray:
        """The 0/1 targets of problems ``cols`` (no copy when they are all of them, in order)."""
        return self._columns(self.Y, cols)

    def _columns(self, A: np.ndarray, cols: np.ndarray) -> np.ndarray:
        whole = len(cols) == self.Y.shape[1] and np.array_equal(cols, np.arange(len(cols)))
        return A if whole else A[:, cols]

    def loss_at(self, Z: np.ndarray, coef: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The losses of problems ``cols`` from their scores ``Z`` (no pass over X)."""
        return _data_loss(Z, self._targets(cols), self.weight) + 0.5 * self.alpha * (coef**2).sum(axis=0)


def _fused_block(
    X: np.ndarray,
    Y: np.ndarray,
    weight: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    Z: np.ndarray,
    R: np.ndarray,
    rows: slice,
    sub: int,
    chunk: int,
    offset: np.ndarray | None = None,
    Z_known: np.ndarray | None = None,
) -> np.ndarray:
    """Fill ``Z`` and the weighted residuals ``R`` on ``rows`` and return ``R^T X`` there (float64).

    ``offset`` (n, k), if given, is added to every score: fixed scores the fitted ones build on.
    ``Z_known`` (n, m), if given, are the scores of the last m columns, copied in instead of computed.

    A chunk of rows is multiplied as a stack of ``sub``-row matrices (one numpy call, many small BLAS
    products), then its residuals are formed and multiplied back while the chunk is still in cache.
    """
    d, k = X.shape[1], coef.shape[1]
    total = np.zeros((k, d), dtype=np.float64)
    partial = np.empty((SUBS_PER_CHUNK, k, d), dtype=X.dtype)
    with np.errstate(over="ignore"):  # exp overflow gives inf, and 1 / (1 + inf) = 0 is right
        for start in range(rows.start, rows.stop, chunk):
            stop = min(start + chunk, rows.stop)
            even = start + (stop - start) // sub * sub  # rows that fill whole sub-blocks
            z, r = Z[start:stop], R[start:stop]
            if even > start:
                x = X[start:even].reshape(-1, sub, d)
                np.matmul(x, coef, out=Z[start:even].reshape(-1, sub, k))
            if even < stop:
                np.matmul(X[even:stop], coef, out=Z[even:stop])
            z += intercept
            if offset is not None:
                z += offset[start:stop]
            if Z_known is not None and Z_known.shape[1]:
                z[:, k - Z_known.shape[1] :] = Z_known[start:stop]
            np.negative(z, out=r)
            np.exp(r, out=r)
            r += 1.0
            np.reciprocal(r, out=r)
            r -= Y[start:stop]
            r *= weight[start:stop]
            if even > start:
                m = (even - start) // sub
                rt = R[start:even].reshape(-1, sub, k).transpose(0, 2, 1)
                np.matmul(rt, x, out=partial[:m])
                total += partial[:m].sum(axis=0, dtype=np.float64)
            if even < stop:
                total += R[even:stop].T @ X[even:stop]
    return total


def _data_loss(Z: np.ndarray, Y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The weighted mean logistic loss of every column, summed in float64."""
    loss = _log1pexp(Z)
    loss -= Y * Z
    loss *= weight
    return loss.sum(axis=0, dtype=np.float64)


def fit_logistic_lbfgs(
    X: np.ndarray,
    Y: np.ndarray,
    alpha: float,
    *,
    max_iter: int = 300,
    tol: float = 1e-4,
    memory: int = 10,
    ftol: float = 0.0,
    sample_weight: np.ndarray | None = None,
    callback: Callable[[int, np.ndarray], None] | None = None,
    offset: np.ndarray | None = None,
    init: tuple[np.ndarray, np.ndarray] | None = None,
) -> LbfgsResult:
    """Fit one logistic regression per column of ``Y`` (0/1 targets) with L-BFGS.

    ``callback(iteration, losses)`` runs after every iteration; it may raise to abort the fit. A problem
    stops when its largest gradient entry is below ``tol`` (scikit-learn's criterion) or, with ``ftol``
    above 0, when an iteration lowers its loss by no more than ``ftol * max(|loss|, 1)`` (SciPy's
    L-BFGS-B test): a small problem can reach the float32 noise floor of its loss before ``tol``,
    and would otherwise spend every remaining iteration there. With ``offset``
    (n, K), the scores are ``offset + X @ coef + intercept``: the fit learns a correction to given
    scores, and ``alpha`` keeps that correction small. ``init = (coef, intercept)`` starts the descent
    there instead of at zero: a warm start from the solution of a nearby problem. Each problem is
    strictly convex, so the start changes how many iterations it takes, not where it ends.
    """
    with row_parallel(len(X)) as (pool, n_blocks):
        obj = _Objective(X, Y, alpha, sample_weight, pool, n_blocks, offset)
        theta = np.zeros((X.shape[1] + 1, obj.Y.shape[1]), dtype=np.float64)
        if init is not None:
            coef, intercept = init
            theta[:-1] = np.asarray(coef, dtype=np.float64).reshape(X.shape[1], -1)
            theta[-1] = np.asarray(intercept, dtype=np.float64).reshape(-1)
        return _minimise(obj, theta, max_iter=max_iter, tol=tol, ftol=ftol, memory=memory, callback=callback)


def _minimise(
    obj: _Objective,
    theta: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    ftol: float,
    memory: int,
    callback: Callable[[int, np.ndarray], None] | None,
) -> LbfgsResult:
    """The L-BFGS iterations for all problems of ``obj`` at once.

    Each iteration makes one pass over X: it evaluates the loss and gradient at the trial step. A
    problem whose trial step fails the line search backtracks without a pass (its scores are linear in
    the step) and then waits: its gradient at the shorter step comes from the next iteration's pass,
    beside the others' trial steps. So each problem takes exactly the steps it would take alone, and a
    backtrack (a dozen in a fit on MNIST, each for one or two of the eleven problems) no longer costs a
    pass of its own over X.
    """
    k = obj.Y.shape[1]
    # Parameters are stacked as theta = [coef; intercept], shape (d + 1, K).
    Z, f, g = obj.evaluate(theta, np.arange(k))
    S: list[np.ndarray] = []
    Ydiff: list[np.ndarray] = []
    active = np.abs(g).max(axis=0) > tol
    waiting = np.zeros(k, dtype=bool)  # moved by a backtracked step; the gradient there is still to come
    waiting_s = np.zeros_like(theta)  # that step
    it = 0
    for it in range(1, max_iter + 1):
        if not active.any():
            it -= 1
            break
        stepping = active & ~waiting
        cols = np.flatnonzero(stepping)
        late = np.flatnonzero(waiting)
        direction = _two_loop(g, S, Ydiff)
        direction[:, ~stepping] = 0.0
        slope = (direction * g).sum(axis=0)
        bad = stepping & (slope >= 0)  # not a descent direction: fall back to steepest descent
        if bad.any():
            direction[:, bad] = -g[:, bad]
            slope[bad] = -(g[:, bad] ** 2).sum(axis=0)
        step = np.ones(k)
        if not S:  # first step: scale so the first move is modest
            step = np.minimum(1.0, 1.0 / np.maximum(np.abs(g).sum(axis=0), 1e-12))
        step[~stepping] = 0.0
        Z_trial, f_trial, g_trial = obj.evaluate(
            theta + direction * step, cols, (late, Z[:, late]) if len(late) else None
        )
        theta_new, f_new, g_new = theta.copy(), f.copy(), g.copy()
        s = np.zeros_like(theta)
        y = np.zeros_like(theta)
        n = len(cols)
        if len(late):  # the gradients at last iteration's backtracked steps: their curvature pair
            s[:, late] = waiting_s[:, late]
            y[:, late] = g_trial[:, n:] - g[:, late]
            g_new[:, late] = g_trial[:, n:]
            waiting[late] = False
        Z_trial, f_trial, g_trial = Z_trial[:, :n], f_trial[:n], g_trial[:, :n]
        ok = f_trial <= f[cols] + ARMIJO * step[cols] * slope[cols]
        take = cols[ok]
        theta_new[:, take] = theta[:, take] + direction[:, take] * step[take]
        f_new[take], g_new[:, take], Z[:, take] = f_trial[ok], g_trial[:, ok], Z_trial[:, ok]
        s[:, take] = theta_new[:, take] - theta[:, take]
        y[:, take] = g_new[:, take] - g[:, take]
        stuck = np.zeros(k, dtype=bool)
        if not ok.all():
            retry = cols[~ok]
            tried = step[retry]
            shorter, losses = _backtrack(
                obj, Z[:, retry], Z_trial[:, ~ok], theta, direction, f, slope, step, retry
            )
            found = shorter > 0
            stuck[retry[~found]] = True  # no step improves it: it sits at the limit of precision
            moved = retry[found]
            if len(moved):
                theta_new[:, moved] = theta[:, moved] + direction[:, moved] * shorter[found]
                share = (shorter[found] / tried[found]).astype(Z.dtype)
                Z[:, moved] += (Z_trial[:, ~ok][:, found] - Z[:, moved]) * share
                f_new[moved] = losses[found]
                waiting[moved] = True
                waiting_s[:, moved] = theta_new[:, moved] - theta[:, moved]
        S.append(s)
        Ydiff.append(y)
        if len(S) > memory:
            S.pop(0)
            Ydiff.pop(0)
        # A step that lowers the loss by no more than ftol: the problem is done, even if the step was
        # a backtracked one whose gradient is still to come (its loss at that step is known).
        flat = stepping & (f - f_new <= ftol * np.maximum(np.maximum(np.abs(f), np.abs(f_new)), 1.0))
        theta, f, g = theta_new, f_new, g_new
        # A problem stops when its gradient is small, or when no step improves it any more; one that
        # waits for its gradient goes on.
        active &= ((np.abs(g).max(axis=0) > tol) & ~stuck) | waiting
        if ftol > 0:
            active &= ~flat
        if callback is not None:
            callback(it, f)
    return LbfgsResult(
        coef=theta[:-1],
        intercept=theta[-1],
        n_iter=it,
        loss=f,
        converged=~active,
    )


def _two_loop(g: np.ndarray, S: list[np.ndarray], Y: list[np.ndarray]) -> np.ndarray:
    """The L-BFGS two-loop recursion, column by column (each column its own problem)."""
    q = g.copy()
    alphas = []
    rhos = []
    for s, y in zip(reversed(S), reversed(Y), strict=True):
        sy = (s * y).sum(axis=0)
        rho = np.where(sy > 1e-12, 1.0 / np.where(sy > 1e-12, sy, 1.0), 0.0)
        a = rho * (s * q).sum(axis=0)
        q -= a * y
        alphas.append(a)
        rhos.append(rho)
    if S:
        s, y = S[-1], Y[-1]
        sy = (s * y).sum(axis=0)
        yy = (y * y).sum(axis=0)
        gamma = np.where((sy > 1e-12) & (yy > 0), sy / np.where(yy > 0, yy, 1.0), 1.0)
        q *= gamma
    for s, y, a, rho in zip(S, Y, reversed(alphas), reversed(rhos), strict=True):
        b = rho * (y * q).sum(axis=0)
        q += s * (a - b)
    return -q


def _backtrack(
    obj: _Objective,
    Z: np.ndarray,
    Z_trial: np.ndarray,
    theta: np.ndarray,
    direction: np.ndarray,
    f: np.ndarray,
    slope: np.ndarray,
    step: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Armijo backtracking for the problems ``cols`` whose trial step failed: the steps (0 where none is
    found) and the losses there.

    Scores are linear in the parameters, so the scores at a shorter step are interpolated between
    ``Z`` (step 0) and ``Z_trial`` (the failed step): no further pass over X is needed.
    """
    dZ = Z_trial - Z
    tried = step[cols]
    current = tried * 0.5
    result = np.zeros(len(cols))
    losses = f[cols].astype(np.float64)
    pending = np.ones(len(cols), dtype=bool)
    for _ in range(30):
        if not pending.any():
            break
        idx = np.flatnonzero(pending)
        c = cols[idx]
        trial_Z = Z[:, idx] + dZ[:, idx] * (current[idx] / tried[idx]).astype(Z.dtype)
        trial_coef = theta[:-1, c] + direction[:-1, c] * current[idx]
        f_trial = obj.loss_at(trial_Z, trial_coef, c)
        ok = f_trial <= f[c] + ARMIJO * current[idx] * slope[c]
        result[idx[ok]] = current[idx[ok]]
        losses[idx[ok]] = f_trial[ok]
        pending[idx[ok]] = False
        current[idx[~ok]] *= 0.5
    return result, losses
