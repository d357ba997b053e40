"""Worker: result queue -> MongoDB graph, Chroma vectors, FCM push."""
