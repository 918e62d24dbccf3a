"""The toy map's library side (metarec/teaching/embedding_map.py): labels that never overlap, the
shipped t-SNE layout, and toys described in words placed on the map."""
from __future__ import annotations

import numpy as np
import pytest

from metarec.teaching import embedding_map
from metarec.teaching.embedding_map import (View, child_prototype, place_labels, shipped_map,
                                            text_size_px, text_toy_points, view_of)


def _boxes_px(spots, sizes, view: View):
    sx, sy = view.per_px()
    return [None if s is None else ((s[0] - view.x[0]) / sx, (s[1] - view.y[0]) / sy, w, h)
            for s, (w, h) in zip(spots, sizes)]


def _overlap(a, b) -> bool:
    return abs(a[0] - b[0]) * 2 < a[2] + b[2] and abs(a[1] - b[1]) * 2 < a[3] + b[3]


def _check(anchors, sizes, view, keep_clear, clear_px=8.0):
    spots = place_labels(anchors, sizes, view, keep_clear=keep_clear, clear_px=clear_px)
    boxes = _boxes_px(spots, sizes, view)
    placed = [b for b in boxes if b is not None]
    for i, a in enumerate(placed):
        assert a[2] / 2 - 1e-6 <= a[0] <= view.width_px - a[2] / 2 + 1e-6   # inside the plot
        assert a[3] / 2 - 1e-6 <= a[1] <= view.height_px - a[3] / 2 + 1e-6
        for b in placed[i + 1:]:
            assert not _overlap(a, b), (a, b)
    sx, sy = view.per_px()
    for p in keep_clear:   # no label covers a marker that must stay visible
        px = ((p[0] - view.x[0]) / sx, (p[1] - view.y[0]) / sy, 2 * clear_px, 2 * clear_px)
        assert not any(_overlap(px, b) for b in placed), p
    return spots


def test_labels_at_one_spot_fan_out_without_overlapping():
    view = View((0, 10), (0, 10), 400, 400)
    anchors = np.full((6, 2), 5.0)
    sizes = [(80, 20)] * 6
    spots = _check(anchors, sizes, view, keep_clear=anchors[:1])
    assert all(s is not None for s in spots)
    assert spots[0] == (5.0, 5.5)   # the first candidate: right above the point
    assert len(set(spots)) == 6


@pytest.mark.parametrize("seed", range(5))
def test_crowded_random_labels_never_overlap_and_stay_apart_in_a_wider_plot(seed):
    rng = np.random.default_rng(seed)
    anchors = rng.normal(0, 1, (20, 2))
    sizes = [text_size_px(name, 13) for name in rng.choice(
        ["Building", "Outdoor & sports", "Board & card games", "拼图", "毛绒玩具"], 20)]
    view = view_of(anchors, 600, 540)
    spots = _check(anchors, sizes, view, keep_clear=anchors)
    assert sum(s is not None for s in spots) >= 14
    # the same centres in a plot twice as wide and a bit taller: the boxes (fixed in pixels)
    # shrink in data units around the same centres, so they stay apart
    wide = View(view.x, view.y, 1200, 640)
    boxes = [b for b in _boxes_px(spots, sizes, wide) if b is not None]
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_label_with_no_room_is_left_out():
    view = View((0, 1), (0, 1), 100, 60)
    spots = place_labels(np.full((3, 2), 0.5), [(90, 18)] * 3, view)   # above, below, no room
    assert spots[0] is not None and spots[1] is not None and spots[2] is None


def test_text_size_counts_wide_characters_as_one_em():
    (w_en, h), (w_zh, _) = text_size_px("abcd", 10, pad_px=0), text_size_px("拼图拼图", 10, pad_px=0)
    assert w_zh == 40 and w_en < w_zh and h == 13


def test_the_tsne_layout_is_the_shipped_one(engine):
    tmap = shipped_map(engine, "tsne")
    assert tmap.xy.shape == (len(engine.catalog), 2) and tmap.axes is None
    assert np.allclose(tmap.xy, np.asarray(engine.curves["tsne"]))
    assert shipped_map(engine, "pca").axes is not None


@pytest.fixture
def catalog_encoder(engine, monkeypatch):
    """MiniLM replaced by catalog vectors: a text starting with a catalog id encodes as that toy."""
    from metarec.serving import text_toys

    vectors = engine.text_space.vectors
    monkeypatch.setattr(text_toys, "encode", lambda texts: np.stack(
        [vectors[engine.catalog.index[text.split()[0]]] for text in texts]))


@pytest.mark.parametrize("projection", ["pca", "tsne"])
def test_a_toy_described_in_words_sits_where_its_twin_does(engine, catalog_encoder, projection):
    """A text that encodes exactly as a catalog toy, corrected to that toy's row, has that toy's
    features: PCA puts it on the toy; t-SNE at the mean of its nearest catalog toys."""
    tmap = shipped_map(engine, projection)
    f, i = engine.catalog.frame, 40
    toy = embedding_map.TextToy(f"{f.at[i, 'id']} described", f.at[i, "category"],
                                tuple(engine.catalog.skills_of(i)), int(f.at[i, "min_age_months"]),
                                int(f.at[i, "max_age_months"]))
    (point,) = text_toy_points(engine, tmap, [toy])
    nearest = [engine.catalog.index[n] for n in point.toy.nearest]
    assert nearest[0] == i
    if projection == "pca":
        assert np.linalg.norm(point.xy - tmap.xy[i]) < 0.25 * np.ptp(tmap.xy[:, 0])
    else:
        assert np.allclose(point.xy, tmap.xy[nearest].mean(0))
    # it counts in the child's prototype like a liked toy
    star = child_prototype(tmap, [1, 2], [point])
    alone = child_prototype(tmap, [1, 2])
    assert star.shape == (2,) and not np.allclose(star, alone)
    assert child_prototype(tmap, [], [point]) is not None and child_prototype(tmap, []) is None
    assert text_toy_points(engine, tmap, []) == []
