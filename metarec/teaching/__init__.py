"""What the learning pages compute, without Streamlit: one module per page.

- :mod:`metarec.teaching.adaptation`: the inner loop step by step ("watch it learn");
- :mod:`metarec.teaching.embedding_map`: the learned toy embeddings in 2-D ("toy map");
- :mod:`metarec.teaching.episode_view`: an episode, the two loops, every learner side by side
  ("how meta-learning works");
- :mod:`metarec.teaching.demo`: ready-made simulated families.
"""
