"""Everything a build makes besides the Markdown pages, from the linked dossier.

* :mod:`.rows`: one row builder per record kind; the JSON document and the CSV tables both use them.
* :mod:`.data_files`: the data page's downloads (JSON, CSV, FollowTheMoney, the feed), built together.
* :mod:`.ftm`: FollowTheMoney entities.
* :mod:`.feed`: the Atom feed of events.
* :mod:`.graph`: the network of entities as ``data/graph.json``.

Nothing here imports :mod:`generator.render`; :mod:`generator.build` puts pages and outputs together.
"""
