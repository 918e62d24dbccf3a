"""Toys a parent describes in words: item cold start for a toy that is not in the catalog.

A parent types a toy the child loves ("wooden train set with magnetic carriages"). :func:`place`
encodes it with the offline MiniLM encoder (loaded once per process) and infers what a catalog
row would say about it from the nearest catalog texts (:mod:`metarec.core.text_neighbours`: the
nearest category prototype; skills and ages by a similarity-weighted vote of the 10 nearest toys).
Leave-one-out on the catalog (each toy's own text predicts its row from the other 326): category
accuracy 0.795, skills Jaccard 0.602, age-range error 20.9 months; from toy names alone, closer
to what parents type: 0.716, 0.537, 23.6 months. Each inferred field is returned so a page can
show it and let the parent correct it (a :class:`TextToy` with fields set keeps them).

:func:`with_text_toys` makes the placed texts liked toys the learners can read: one feature row
each (category one-hot, skills, the neutral price :data:`NEUTRAL_PRICE`, its age range, no small
parts, its text vector projected on the catalog's PCA basis exactly as the catalog's were), and
learners rebuilt from the checkpoint bundle with the per-toy arrays padded: item bias 0, and as
popularity (``bundle["popularity"]``, read by ``popularity``, ``bayes`` and ``tastenp``) the mean
like rate of the catalog toys of its category at each age year. The shared engine is never
changed. Text toys are support (liked) toys only: candidates come from the catalog alone, through
the same safety filter.

A typed text is data, never markup: it is returned verbatim (stripped), and pages must render it
(and a reason that quotes it) as plain text. Nothing typed is written to disk or logged.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from ..core.catalog import CATEGORIES, MAX_AGE_MONTHS, SKILLS, Catalog
from ..core.errors import InputError
from ..core.episodes import Support
from ..core.features import ToyFeatures, build_toy_features
from ..core.model import ITEM_BIAS_KEYS
from ..core.text_embedding import encode, project
from ..core.text_neighbours import CatalogText, infer
from ..i18n import category_noun, skill_name, t
from ..learners import build_learners
from .engine import Engine
from .reasons import SIMILAR

MAX_TEXT_CHARS = 300   # a description longer than this is refused
MAX_TEXT_TOYS = 10     # described toys per request
NEUTRAL_PRICE = 20.0   # the price the features are centred on: log-price feature 0
SHORT_TEXT = 48        # characters of a typed text quoted in a reason


@dataclass(frozen=True)
class TextToy:
    """A toy described in words. As input, the fields set are a parent's corrections (the others
    are inferred); as output (``Result.text_toys``) every field is filled.

    Arguments:
        text: what the parent typed (stripped, at most :data:`MAX_TEXT_CHARS` characters).
        category: one of :data:`~metarec.core.catalog.CATEGORIES`.
        skills: some of :data:`~metarec.core.catalog.SKILLS`.
        min_age_months, max_age_months: the suitable age range, ``0 <= min < max <= 168``.
        nearest: the closest catalog toy ids (output only; ignored as input).

    Example:
        >>> TextToy("wooden train set with magnetic carriages", category="vehicles")
    """

    text: str
    category: str | None = None
    skills: tuple[str, ...] | None = None
    min_age_months: int | None = None
    max_age_months: int | None = None
    nearest: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PlacedText:
    """A text toy with every field filled and its 32-d text feature (never serialised)."""

    toy: TextToy
    vector: np.ndarray   # [TEXT_DIM] float32, on the catalog's PCA basis


def check_texts(items) -> tuple[TextToy, ...]:
    """Validate typed toys without loading the encoder: stripped, each text once.

    Arguments:
        items: ``Request.liked_text``: strings and/or :class:`TextToy` (with corrections).

    Returns:
        One :class:`TextToy` per different text, in the order given, text stripped.

    Raises:
        InputError: with a locale key: ``input.text_type``, ``input.text_empty``,
            ``input.text_too_long``, ``input.too_many_texts``, ``input.text_category``,
            ``input.text_skill`` or ``input.text_ages``.

    Example:
        >>> check_texts(["  a soft cuddly teddy bear "])
        (TextToy(text='a soft cuddly teddy bear', category=None, ...),)
    """
    if items is None:
        return ()
    if isinstance(items, (str, TextToy)):
        items = (items,)
    out: dict[str, TextToy] = {}
    for item in items:
        toy = item if isinstance(item, TextToy) else TextToy(item) if isinstance(item, str) else None
        if toy is None or not isinstance(toy.text, str):
            raise InputError("a toy described in words must be text", key="input.text_type")
        text = toy.text.strip()
        if not text:
            raise InputError("a toy described in words is empty; describe it in a few words",
                             key="input.text_empty")
        if len(text) > MAX_TEXT_CHARS:
            raise InputError(f"a toy described in words may have at most {MAX_TEXT_CHARS} "
                             f"characters, got {len(text)}", key="input.text_too_long",
                             values={"max": MAX_TEXT_CHARS, "n": len(text)})
        _check_corrections(toy)
        out.setdefault(text, replace(toy, text=text, nearest=()))
        if len(out) > MAX_TEXT_TOYS:
            raise InputError(f"at most {MAX_TEXT_TOYS} toys described in words are accepted",
                             key="input.too_many_texts", values={"max": MAX_TEXT_TOYS})
    return tuple(out.values())


def _check_corrections(toy: TextToy) -> None:
    if toy.category is not None and toy.category not in CATEGORIES:
        raise InputError(f"unknown category {toy.category!r}; choose one of {', '.join(CATEGORIES)}",
                         key="input.text_category", values={"category": str(toy.category)})
    for skill in toy.skills or ():
        if skill not in SKILLS:
            raise InputError(f"unknown skill {skill!r}; choose from {', '.join(SKILLS)}",
                             key="input.text_skill", values={"skill": str(skill)})
    lo, hi = toy.min_age_months, toy.max_age_months
    ok = all(a is None or (isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                           and 0 <= a <= MAX_AGE_MONTHS) for a in (lo, hi))
    if not ok or (lo is not None and hi is not None and lo >= hi):
        raise InputError(f"the age range must be whole months with 0 <= min < max <= "
                         f"{MAX_AGE_MONTHS}, got {lo!r}-{hi!r}", key="input.text_ages",
                         values={"max": MAX_AGE_MONTHS})


def place(engine: Engine, items) -> list[PlacedText]:
    """Encode typed toys and infer their rows (the parent's corrections win).

    Arguments:
        engine: the loaded engine (read only).
        items: strings and/or :class:`TextToy`, as in ``Request.liked_text``.

    Returns:
        One :class:`PlacedText` per different text (empty input: an empty list, no encoder).

    Example:
        >>> [p.toy.category for p in place(engine, ["a soft cuddly teddy bear"])]
        ['plush']
    """
    toys = check_texts(items)
    if not toys:
        return []
    space = engine.text_space
    cat = CatalogText.of(engine.catalog, space)
    vectors = encode([toy.text for toy in toys])
    reduced = project(vectors, space.mean, space.components, space.scale)
    out = []
    for toy, q, z in zip(toys, vectors, reduced):
        guess = infer(cat, q)
        filled = TextToy(
            toy.text, toy.category or guess.category,
            tuple(toy.skills) if toy.skills else guess.skills,
            guess.min_age_months if toy.min_age_months is None else int(toy.min_age_months),
            guess.max_age_months if toy.max_age_months is None else int(toy.max_age_months),
            tuple(cat.ids[i] for i in guess.nearest))
        if filled.min_age_months >= filled.max_age_months:   # one end corrected past the other
            lo = min(filled.min_age_months, MAX_AGE_MONTHS - 12)
            filled = replace(filled, min_age_months=lo,
                             max_age_months=max(filled.max_age_months, lo + 12))
        out.append(PlacedText(filled, z))
    return out


def describe(engine: Engine, items) -> tuple[TextToy, ...]:
    """What the library infers for typed toys, to show before (or without) recommending.

    Arguments:
        engine: the loaded engine.
        items: strings and/or :class:`TextToy`.

    Returns:
        The filled :class:`TextToy` of each different text.

    Example:
        >>> describe(engine, ["a balance bike with training wheels"])[0].category
        'outdoor_sports'
    """
    return tuple(p.toy for p in place(engine, items))


def with_text_toys(engine: Engine, placed: list[PlacedText]) -> tuple[ToyFeatures, dict]:
    """Toy features and learners that also know the placed texts, the engine left untouched.

    Text toy ``j`` gets index ``len(engine.catalog) + j``. Per-toy arrays of the checkpoint are
    padded: ``item_bias`` (and a Meta-SGD step size of it) with 0 (its mean), popularity with the
    mean like rate of its category's catalog toys at each age year.

    Arguments:
        engine: the shared engine (never changed).
        placed: from :func:`place`.

    Returns:
        ``(feats, learners)``: new :class:`ToyFeatures` (catalog rows first, unchanged) and every
        learner rebuilt on them, by name, as ``engine.learners``.

    Example:
        >>> feats, learners = with_text_toys(engine, place(engine, ["a soft cuddly teddy bear"]))
        >>> len(feats) == len(engine.catalog) + 1
        True
    """
    toys = [p.toy for p in placed]
    category = np.array([CATEGORIES.index(toy.category) for toy in toys], np.int64)
    rows = build_toy_features(
        category, np.array([[s in toy.skills for s in SKILLS] for toy in toys], np.float32),
        np.full(len(toys), NEUTRAL_PRICE), np.array([toy.min_age_months for toy in toys], float),
        np.array([toy.max_age_months for toy in toys], float), np.zeros(len(toys)),
        np.stack([p.vector for p in placed])).to(engine.device)
    base = engine.feats
    feats = ToyFeatures(*(torch.cat([a, b.to(a.dtype)]) for a, b in zip(
        (base.x, base.content, base.category, base.min_age, base.max_age),
        (rows.x, rows.content, rows.category, rows.min_age, rows.max_age))))
    return feats, build_learners(padded_bundle(engine.bundle, base.category.cpu().numpy(),
                                               category), feats)


def padded_bundle(bundle: dict, catalog_category: np.ndarray, new_category: np.ndarray) -> dict:
    """A shallow copy of a checkpoint bundle whose per-toy arrays also cover new toys.

    Arguments:
        bundle: the checkpoint bundle (not changed; unpadded tensors are shared, read only).
        catalog_category: ``[n]`` category index of each catalog toy.
        new_category: ``[m]`` category index of each new toy.

    Returns:
        The bundle with ``popularity`` ``[years, n + m]`` and every model's ``item_bias``
        (``lr.item_bias``) ``[n + m]``.

    Example:
        >>> bundle = padded_bundle(engine.bundle, engine.feats.category.numpy(), np.array([6]))
        >>> bundle["popularity"].shape[1] == engine.bundle["popularity"].shape[1] + 1
        True
    """
    pop = torch.as_tensor(bundle["popularity"])
    extra = torch.stack([pop[:, torch.from_numpy(catalog_category == c)].mean(1)
                         for c in new_category], 1)
    models = {name: ({**spec, "params": {k: _pad(k, v, len(new_category))
                                         for k, v in spec["params"].items()}}
                     if "params" in spec else spec) for name, spec in bundle["models"].items()}
    return {**bundle, "popularity": torch.cat([pop, extra.to(pop.dtype)], 1), "models": models}


def _pad(key: str, value, m: int):
    base = key[3:] if key.startswith("lr.") else key
    if base not in ITEM_BIAS_KEYS:
        return value
    fill = 0.0 if base == key else float(value.mean())
    return torch.cat([value, value.new_full((m, *value.shape[1:]), fill)])


def catalog_support(support: Support, n_catalog: int) -> Support:
    """``support`` without its text toys, for code that indexes the catalog's own arrays.

    Arguments:
        support: a support set whose items may include text toys (indices ``>= n_catalog``).
        n_catalog: the number of catalog toys.

    Returns:
        A new :class:`~metarec.core.episodes.Support` with the catalog items only.

    Example:
        >>> catalog_support(support, len(engine.catalog)).items.max() < len(engine.catalog)
        tensor(True)
    """
    keep = support.items < n_catalog
    return replace(support, items=support.items[keep], kind=support.kind[keep])


def short_text(text: str, limit: int = SHORT_TEXT) -> str:
    """A typed text shortened for a sentence: cut at a word boundary, with an ellipsis.

    Arguments:
        text: the typed text (plain text: it stays plain text).
        limit: the most characters returned, the ellipsis included.

    Returns:
        ``text`` itself when it is short enough, else its start and "…".

    Example:
        >>> short_text("wooden train set with magnetic carriages and a long bridge", 30)
        'wooden train set with…'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:-") + "…"


def name_text_toys(recs: list, placed: list[PlacedText], feats: ToyFeatures, catalog: Catalog,
                   liked: list[int], lang: str = "en") -> list:
    """Reasons that name a text toy when it is the closest liked toy and at least
    :data:`~metarec.serving.reasons.SIMILAR` alike (content vectors, as every reason).

    Arguments:
        recs: the ranked ``Recommendation`` list (not changed).
        placed: the text toys, indices ``len(catalog) + j`` in ``feats``.
        feats: the features with the text toys appended.
        catalog: the catalog.
        liked: the catalog liked indices.
        lang: the reason's language.

    Returns:
        The recommendations, those closest to a text toy with a new ``reason`` (kind
        ``"similar"``) quoting its :func:`short_text` (plain text: never render it as markup).

    Example:
        >>> name_text_toys(recs, placed, feats, engine.catalog, [], "en")[0].reason
        'Because your child loves “a soft cuddly teddy bear”: another cuddly toy.'
    """
    if not placed or not recs:
        return recs
    content, n = feats.content.cpu().numpy(), len(catalog)
    out = []
    for rec in recs:
        i = catalog.index[rec.id]
        text_sims = content[n:n + len(placed)] @ content[i]
        j = int(text_sims.argmax())
        best_liked = max((float(content[k] @ content[i]) for k in liked), default=-1.0)
        if text_sims[j] < SIMILAR or text_sims[j] < best_liked:
            out.append(rec)
            continue
        toy, text = placed[j].toy, short_text(placed[j].toy.text)
        shared = [s for s in catalog.skills_of(i) if s in toy.skills]
        reason = (t("text_toy.similar_category", lang, text=text,
                    category=category_noun(rec.category, lang)) if toy.category == rec.category
                  else t("text_toy.similar_skill", lang, text=text, skill=skill_name(shared[0], lang))
                  if shared else t("text_toy.similar", lang, text=text))
        out.append(replace(rec, reason=reason, reason_kind="similar"))
    return out
