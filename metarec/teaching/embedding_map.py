"""A 2-D map of the learned toy embeddings, with prototypes (for the embeddings page).

Toy vectors come from the prototypical network's meta-learned encoder (Snell et al., 2017): the
space in which a family's *prototype*, the mean embedding of its liked toys, is compared with every
toy. PCA projects new points (prototypes) exactly; t-SNE (van der Maaten & Hinton, 2008) cannot,
so with t-SNE a prototype is drawn at the mean 2-D position of its toys (an approximation, said on
the page). The t-SNE layout is computed once per checkpoint and shipped (``engine.curves["tsne"]``,
:mod:`metarec.teaching.precompute`); :func:`shipped_map` reads it, PCA is computed (instantly).

A toy described in words (:mod:`metarec.serving.text_toys`) is placed by :func:`text_toy_points`:
its vector under the same encoder, projected exactly by PCA; with t-SNE at the mean position of its
nearest catalog toys.

Labels: :func:`place_labels` puts each label where its box overlaps no other label and covers no
point to keep visible (a greedy search over offsets around its anchor), in a :class:`View` the
size of the smallest plot the map is drawn in; a wider plot only moves the boxes apart.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from ..core.catalog import CATEGORIES
from ..serving.engine import Engine
from ..serving.text_toys import TextToy, place, with_text_toys

PROJECTIONS = ("pca", "tsne")


@dataclass(frozen=True)
class ToyMap:
    xy: np.ndarray            # [n_toys, 2]
    embeddings: np.ndarray    # [n_toys, d]
    projection: str
    mean: np.ndarray          # PCA centre and axes (PCA only)
    axes: np.ndarray | None

    def place(self, vectors: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
        """2-D positions of prototype ``vectors``; ``members`` are the toy indices behind each."""
        if self.axes is not None:
            return (np.atleast_2d(vectors) - self.mean) @ self.axes.T
        return np.stack([self.xy[m].mean(0) for m in members])


def toy_embeddings(engine: Engine) -> np.ndarray:
    learner = engine.learners.get("protonet")
    if learner is None:
        raise KeyError("the checkpoint has no prototypical network; retrain with `python -m metarec train`")
    return learner.embeddings().cpu().numpy()


def toy_map(engine: Engine, projection: str = "pca", seed: int = 0) -> ToyMap:
    """Project every toy's embedding to 2-D (deterministic for a seed)."""
    emb = toy_embeddings(engine)
    mean = emb.mean(0)
    if projection == "pca":
        _, _, vt = np.linalg.svd(emb - mean, full_matrices=False)
        axes = vt[:2] * np.sign(vt[:2, :1] + 1e-12)
        return ToyMap((emb - mean) @ axes.T, emb, projection, mean, axes)
    if projection == "tsne":
        from sklearn.manifold import TSNE  # imported only when asked for
        xy = TSNE(n_components=2, perplexity=30, init="pca", random_state=seed).fit_transform(emb)
        return ToyMap(xy, emb, projection, mean, None)
    raise ValueError(f"unknown projection {projection!r}; choose one of {PROJECTIONS}")


def shipped_map(engine: Engine, projection: str = "pca") -> ToyMap:
    """The map the app draws: PCA computed now, t-SNE read from the layout shipped with the
    checkpoint (``engine.curves["tsne"]``; a :class:`~metarec.core.checkpoint.CheckpointError`
    when it is missing or modified)."""
    if projection != "tsne":
        return toy_map(engine, projection)
    emb = toy_embeddings(engine)
    xy = np.asarray(engine.curves["tsne"], dtype=float)
    if xy.shape != (len(emb), 2):
        raise ValueError(f"the shipped t-SNE layout has shape {xy.shape}, expected ({len(emb)}, 2);"
                         " run `python -m metarec precompute`")
    return ToyMap(xy, emb, "tsne", emb.mean(0), None)


@dataclass(frozen=True)
class TextPoint:
    """A toy described in words, on the map."""

    toy: TextToy            # every field filled (category, skills, ages, nearest ids)
    vector: np.ndarray      # [d] under the prototypical network's encoder
    xy: np.ndarray          # [2] PCA: its projection; t-SNE: the mean of its nearest toys'


def text_toy_points(engine: Engine, tmap: ToyMap, items) -> list[TextPoint]:
    """Where toys described in words sit on ``tmap`` (inference only; the engine is unchanged).

    Arguments:
        engine: the loaded engine.
        tmap: the map (its projection decides how a new point is placed).
        items: strings and/or :class:`~metarec.serving.text_toys.TextToy` (a parent's corrections).

    Returns:
        One :class:`TextPoint` per different text, in order (none for no items).

    Example:
        >>> [p.toy.category for p in text_toy_points(engine, tmap, ["a soft cuddly teddy bear"])]
        ['plush']
    """
    placed = place(engine, items)
    if not placed:
        return []
    _, learners = with_text_toys(engine, placed)
    n = len(engine.catalog)
    vectors = learners["protonet"].embeddings().cpu().numpy()[n:]
    index = engine.catalog.index
    members = [np.array([index[i] for i in p.toy.nearest if i in index], dtype=np.int64)
               for p in placed]
    xy = tmap.place(vectors, members)
    return [TextPoint(p.toy, v, np.asarray(z, dtype=float)) for p, v, z in zip(placed, vectors, xy)]


def category_prototypes(engine: Engine, tmap: ToyMap) -> tuple[list[str], np.ndarray]:
    """(category slugs, their 2-D prototype positions): mean embedding of each category's toys."""
    cats = engine.feats.category.cpu().numpy()
    present = [c for c in range(len(CATEGORIES)) if (cats == c).any()]
    members = [np.flatnonzero(cats == c) for c in present]
    vectors = np.stack([tmap.embeddings[m].mean(0) for m in members])
    return [CATEGORIES[c] for c in present], tmap.place(vectors, members)


def child_prototype(tmap: ToyMap, liked: list[int],
                    texts: list[TextPoint] = ()) -> np.ndarray | None:
    """The 2-D position of a family's prototype: the mean embedding of its liked toys, catalog
    ones (row indices) and ``texts`` described in words. With t-SNE: the mean of their positions."""
    idx = np.asarray(liked, dtype=np.int64)
    if not len(idx) and not len(texts):
        return None
    vectors = np.concatenate([tmap.embeddings[idx], [p.vector for p in texts]]) if len(texts) \
        else tmap.embeddings[idx]
    if tmap.axes is not None:
        return tmap.place(vectors.mean(0), [idx])[0]
    points = np.concatenate([tmap.xy[idx], [p.xy for p in texts]]) if len(texts) else tmap.xy[idx]
    return points.mean(0)


# Age bands by the middle of a toy's suitable range, in months: (name, from, up to but not incl.)
AGE_BANDS = (("baby", 0, 24), ("small", 24, 60), ("school", 60, 96), ("older", 96, 10_000))
GROUPINGS = ("category", "age")


def toy_groups(catalog, by: str = "category") -> list[tuple[str, np.ndarray]]:
    """The toys in colour groups for the map: ``[(group, toy indices)]``, empty groups left out.

    Arguments:
        catalog: the :class:`~metarec.core.catalog.Catalog`.
        by: ``"category"`` (groups named by category slug, in :data:`CATEGORIES` order) or
            ``"age"`` (by the middle of each toy's age range, named as in :data:`AGE_BANDS`).

    Example:
        >>> [name for name, _ in toy_groups(engine.catalog, "age")]
        ['baby', 'small', 'school', 'older']
    """
    f = catalog.frame
    if by == "category":
        cats = f["category"].to_numpy()
        groups = [(c, np.flatnonzero(cats == c)) for c in CATEGORIES]
    elif by == "age":
        middle = (f["min_age_months"].to_numpy() + f["max_age_months"].to_numpy()) / 2
        groups = [(name, np.flatnonzero((middle >= lo) & (middle < hi))) for name, lo, hi in AGE_BANDS]
    else:
        raise ValueError(f"unknown grouping {by!r}; choose one of {GROUPINGS}")
    return [(name, members) for name, members in groups if len(members)]


# ---- labels that never overlap -------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    """A plot's data ranges and the size of its plotting area in pixels (the smallest it is drawn
    at: labels placed for it stay apart in any larger plot of the same ranges)."""

    x: tuple[float, float]
    y: tuple[float, float]
    width_px: float
    height_px: float

    def per_px(self) -> tuple[float, float]:
        """Data units per pixel along x and y."""
        return ((self.x[1] - self.x[0]) / self.width_px, (self.y[1] - self.y[0]) / self.height_px)


def view_of(points: np.ndarray, width_px: float, height_px: float, pad: float = 0.08) -> View:
    """A :class:`View` around ``points`` ([n, 2]) with ``pad`` of each range added on every side."""
    lo, hi = np.min(points, 0), np.max(points, 0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad * span, hi + pad * span
    return View((float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])), width_px, height_px)


def text_size_px(text: str, font_px: float, pad_px: float = 6.0) -> tuple[float, float]:
    """A generous estimate of a one-line label's box in pixels: wide (CJK, emoji) characters one
    em, others 0.62 em, plus ``pad_px`` around (the box's background and border)."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" or ord(c) > 0x1F000 else 0.62
              for c in text)
    return ems * font_px + 2 * pad_px, 1.3 * font_px + 2 * pad_px


# Where a label may go around its anchor, nearest first: the unit directions (above, below,
# right, left, then the diagonals) times growing gaps in pixels between the anchor and the box.
DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))
GAPS_PX = (10, 20, 32, 50, 75, 105, 140, 180, 230, 290)


def _overlap(a, b, gap: float) -> bool:
    return (abs(a[0] - b[0]) * 2 < a[2] + b[2] + 2 * gap
            and abs(a[1] - b[1]) * 2 < a[3] + b[3] + 2 * gap)


def _inside(x: float, y: float, box) -> bool:
    return abs(x - box[0]) * 2 < box[2] and abs(y - box[1]) * 2 < box[3]


def _leader(ax: float, ay: float, box, step_px: float = 3.0) -> list[tuple[float, float]]:
    """Points along the line from an anchor to its label's box (the part outside the box)."""
    n = max(2, int(np.hypot(box[0] - ax, box[1] - ay) / step_px))
    points = ((ax + (box[0] - ax) * k / n, ay + (box[1] - ay) * k / n) for k in range(1, n))
    return [q for q in points if not _inside(*q, box)]


def place_labels(anchors: np.ndarray, sizes_px, view: View, keep_clear: np.ndarray | None = None,
                 clear_px: float = 8.0, gap_px: float = 2.0) -> list[tuple[float, float] | None]:
    """Greedy label placement: each label in turn takes the first candidate position whose box
    lies inside the view, overlaps no label placed before it and covers no point to keep clear;
    a box away from its anchor (joined to it by a line) is also chosen, where it can be, so that
    no line runs under another label.

    Arguments:
        anchors: ``[n, 2]`` the labelled points, in data units, in the order labels are placed.
        sizes_px: ``n`` label boxes ``(width, height)`` in pixels (:func:`text_size_px`).
        view: the smallest plot the labels must fit (:class:`View`).
        keep_clear: ``[m, 2]`` points no label may cover (markers that must stay visible), in
            data units; each is a square of ``2 * clear_px`` pixels.
        gap_px: the least space between two labels.

    Returns:
        Per label, the centre of its box in data units, or None when no candidate fits (show
        that label on hover only).

    Example:
        >>> view = View((0, 10), (0, 10), 400, 400)
        >>> place_labels(np.array([[5.0, 5.0], [5.0, 5.0]]), [(80, 20), (80, 20)], view)
        [(5.0, 5.5), (5.0, 4.5)]
    """
    sx, sy = view.per_px()
    clear = np.zeros((0, 2)) if keep_clear is None else np.asarray(keep_clear, float).reshape(-1, 2)
    # everything in pixels from the view's lower-left corner
    to_px = lambda p: ((p[0] - view.x[0]) / sx, (p[1] - view.y[0]) / sy)  # noqa: E731
    obstacles = [(*to_px(p), 2 * clear_px, 2 * clear_px) for p in clear]
    boxes, lines, out = [], [], []
    for anchor, (w, h) in zip(np.asarray(anchors, float), sizes_px):
        ax, ay = to_px(anchor)
        fits = []   # the boxes that fit, nearest first; the first whose line crosses no label wins
        for gap in GAPS_PX:
            for dx, dy in DIRECTIONS:
                box = (ax + dx * (w / 2 + gap), ay + dy * (h / 2 + gap), w, h)
                if (w / 2 <= box[0] <= view.width_px - w / 2
                        and h / 2 <= box[1] <= view.height_px - h / 2
                        and not any(_overlap(box, other, gap_px) for other in boxes)
                        and not any(_overlap(box, ob, 0.0) for ob in obstacles)):
                    fits.append(box)
        clean = (box for box in fits
                 if not any(_inside(*q, b) for q in _leader(ax, ay, box) for b in boxes)
                 and not any(_inside(*q, box) for line in lines for q in line))
        spot = next(clean, fits[0] if fits else None)
        if spot is None:
            out.append(None)
            continue
        boxes.append(spot)
        lines.append(_leader(ax, ay, spot))
        out.append((round(float(view.x[0] + spot[0] * sx), 6),
                    round(float(view.y[0] + spot[1] * sy), 6)))
    return out
