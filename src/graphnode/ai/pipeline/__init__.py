"""The graph pipeline: parsed documents -> embeddings -> clusters -> keywords -> names ->
edges -> subclusters -> layout -> summary. Each stage is an object with a one-method
contract, so any of them can be swapped (a faster embedder, another clusterer) or replaced
by a trivial one in tests."""
