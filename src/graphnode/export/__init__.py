"""The user's graph written out for other tools: GraphML and GEXF (Gephi, Cytoscape,
networkx), JSON, and an Obsidian vault. Each format is a stream of byte chunks, so the API
can send an export as it is made."""
