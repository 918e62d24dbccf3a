"""What app.py and the pages share, one purpose per file (nothing heavy is imported here).

- :mod:`pages.ui.session`: the cached engine, the visitor's language (``tr``), the family state;
- :mod:`pages.ui.errors`: friendly errors, the flash message, safe widget callbacks;
- :mod:`pages.ui.charts`: colours and plotly styling shared by every chart;
- :mod:`pages.ui.jobs`: :class:`~pages.ui.jobs.BackgroundJob`, work that outlives a script run;
- :mod:`pages.ui.routing`: the addresses, :func:`~pages.ui.routing.require_shell` (a page file
  run without the shell);
- :mod:`pages.ui.browser_language`: the browser's language on a visitor's first visit;
- :mod:`pages.ui.plain_text`: a typed text shown as text (never Markdown, HTML or a directive);
- the parents' page's parts: :mod:`pages.ui.cards`, :mod:`pages.ui.text_toy`,
  :mod:`pages.ui.growth`; the toy map's figure: :mod:`pages.ui.toy_map`;
- the teachers' page's parts: :mod:`pages.ui.how_loops`, :mod:`pages.ui.how_training`,
  :mod:`pages.ui.how_methods`.

A folder, not ``pages/*.py``: Streamlit's legacy ``pages/`` discovery (``pages_folder.glob("*.py")``
in 1.67's ``script_runner._mpa_v1``) lists every ``.py`` file directly in ``pages/`` as a page, but
never a sub-folder's files.
"""
