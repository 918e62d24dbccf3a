"""What every real-data method is: meta-trained or not, and how it uses a new user's support.

Every row of a real-data result (``results`` and ``results_all_items``) carries two labels, so
that no number is read as "meta-learning" unless the method really was meta-trained:

- ``meta_trained``: its parameters were trained by an outer loop over tasks (users), each task's
  loss measured *after* the adaptation on that task's support (MAML, Finn et al. 2017; MeLU, Lee et
  al. 2019). Untrained ablations, classical models and a sequence model trained like SASRec
  (prefix -> next item over all users, Kang & McAuley 2018) are ``False``.
- ``adapts``: ``"gradient"`` (per-user optimisation of a support loss: SGD steps, or MF fold-in's
  closed-form ridge solve, the optimum those steps approach; ``adapts_by`` says which),
  ``"encoder"`` (a network maps the support to the user's state in one pass) or ``"none"`` (no
  per-user parameters: the support is used as it is, by neighbours or counts, or not at all for
  the ranking).

:func:`label_rows` is applied to every answer of :func:`metarec.realdata.registry.evaluate_real`
and, by ``experiments/label_results.py``, to result files written before the labels existed.
"""
from __future__ import annotations

# name -> (meta_trained, adapts)
LABELS: dict[str, tuple[bool, str]] = {
    # MovieLens-100K (metarec.realdata.movielens)
    "constant": (False, "none"), "random": (False, "none"), "popularity": (False, "none"),
    "item-mean": (False, "none"), "user-item-bias": (False, "none"), "mf-foldin": (False, "gradient"),
    "melu": (True, "gradient"), "fomaml": (True, "gradient"), "maml": (True, "gradient"),
    "melu-bias": (True, "gradient"), "melu-bias-untrained": (False, "gradient"),
    "melu-mf": (True, "gradient"), "melu-mf-untrained": (False, "gradient"),
    # Amazon Toys (metarec.realdata.amazon); popularity and the gradient learners as above
    "knn": (False, "none"), "item-knn": (False, "none"), "ease": (False, "none"),
    "markov": (False, "none"), "seqmodel": (False, "encoder"),
}
# how a method adapts, where "gradient" / "encoder" alone would hide something
ADAPTS_BY = {"mf-foldin": "closed-form ridge solve of the support ratings (fold-in)",
             "user-item-bias": "a per-user offset, which does not reorder a user's items",
             "knn": "similarity to the history items (no per-user parameters)",
             "seqmodel": "attention pooling of the history (trained as a sequential recommender)"}
# names results used before: old -> new (metaemb was not meta-trained, so its name said too much)
RENAMED = {"metaemb": "seqmodel"}
NOTE = ("meta_trained: parameters trained by an outer loop over users' tasks, each loss measured "
        "after the adaptation to that user's support; adapts: how a new user's support is used: "
        "'gradient' = per-user optimisation of the support loss (SGD steps; MF fold-in solves it in "
        "closed form), 'encoder' = a network maps the support to the user's state, 'none' = no "
        "per-user parameters (neighbours, counts, or not at all for the ranking)")


def label(method: str) -> dict:
    """``{"meta_trained", "adapts"}`` (and ``adapts_by`` where it says more) for a method name.

    Raises:
        KeyError: a method without labels (add it to :data:`LABELS` when adding a method).
    """
    trained, adapts = LABELS[method]
    out = {"meta_trained": trained, "adapts": adapts}
    if method in ADAPTS_BY:
        out["adapts_by"] = ADAPTS_BY[method]
    return out


def label_rows(result: dict) -> dict:
    """``result`` with every row of ``results`` / ``results_all_items`` renamed (:data:`RENAMED`)
    and labelled (:func:`label`), ``labels`` set to :data:`NOTE`; other fields untouched."""
    for key in ("results", "results_all_items"):
        for row in result.get(key) or []:
            if isinstance(row, dict) and "method" in row:
                row["method"] = RENAMED.get(row["method"], row["method"])
                row.update(label(row["method"]))
    result["labels"] = NOTE
    return result
