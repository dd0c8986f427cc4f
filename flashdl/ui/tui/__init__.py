"""The full-screen study and quiz app (Textual): one ``App`` that pushes screens, each screen a
view over an engine of ``flashdl.app.session``, widgets composed in ``widgets.py``, messages in
``messages.py`` and every style in ``flashdl.tcss``.

Textual is imported only by the modules of this package, and they only by the full-screen path
of ``study`` and ``quiz``: one-shot commands never load it (tests/test_imports.py).
"""
