"""Text a visitor typed, shown as text: never Markdown, a link, an image, HTML, LaTeX or a
Streamlit directive (``:red[...]``, ``:material/home:``, ``:smile:``), wherever it is quoted.

- :func:`md` for anything Streamlit renders as Markdown (``st.markdown``, ``st.caption``, widget
  labels, badges): every ASCII punctuation character gets a backslash, which CommonMark turns back
  into that very character. So ``**``, ``[..](..)``, ``<img>``, ``$x$``, ``http://`` and ``:red[..]``
  all lose their meaning, and no ``:`` is left next to a name for Streamlit's emoji and icon
  shortcodes (its ``:material/`` rewrite and its emoji plugin both look for a bare ``:``).
- :func:`svg` for plotly, whose labels and hover texts read a few HTML tags (``<a href>``, ``<b>``,
  ``<br>``): the text is HTML-escaped, and plotly shows the entities as the characters.
"""
from __future__ import annotations

import html
import re

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")   # every ASCII punctuation character
_SPACES = re.compile(r"\s+")


def md(text) -> str:
    """``text`` for a Markdown element, shown exactly as typed (on one line).

    Example:
        >>> md("**bold** [link](http://x) :red[red]")
        '\\\\*\\\\*bold\\\\*\\\\* \\\\[link\\\\]\\\\(http\\\\:\\\\/\\\\/x\\\\) \\\\:red\\\\[red\\\\]'
    """
    return _PUNCT.sub(r"\\\1", _SPACES.sub(" ", str(text)).strip())


def svg(text) -> str:
    """``text`` for a plotly label or hover text, shown exactly as typed (on one line)."""
    return html.escape(_SPACES.sub(" ", str(text)).strip(), quote=True)
