"""The pieces of the sandbox's Kubernetes API face (assembled in ``kube_face``).

``resources`` describes what is served (and answers discovery), ``status`` the
error shape, ``selectors`` / ``patch`` / ``strategic`` / ``validation`` the
API-server semantics, ``tables`` kubectl's server-side columns, and ``reads`` /
``writes`` / ``logs`` the request handlers.
"""
