"""MetaRec Toys: a meta-learned toy recommender you can watch learn (the library; no Streamlit).

Packages, bottom layer first (each imports only from the ones above it in this list):

- :mod:`metarec.i18n`: every user-facing text, one locale file per language;
- :mod:`metarec.core`: paths, errors, device, the catalog and its safety rules, toy features,
  the scorer, episodes (support / query sets), metrics, statistics, checkpoints;
- :mod:`metarec.world`: the simulated families (the documented generative model);
- :mod:`metarec.learners`: one file per method, one interface ``adapt(support)`` / ``score``;
- :mod:`metarec.evaluation`: the toy-world protocols;
- :mod:`metarec.training`: the shared outer loop, toy-world training, DDP, live mini-training;
- :mod:`metarec.serving`: the engine and the recommendation pipeline (safety, ranking, reasons);
- :mod:`metarec.teaching`: what the learning pages compute (adaptation, maps, demo families);
- :mod:`metarec.reporting`: results tables and verdicts;
- :mod:`metarec.realdata`: the real-data benchmarks (Amazon Toys, MovieLens-100K);
- :mod:`metarec.bench` and :mod:`metarec.cli` (``python -m metarec``) on top.

Importing ``metarec`` itself loads nothing heavy.
"""

__version__ = "0.1.0"
