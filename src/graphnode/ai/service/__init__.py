"""The AI service: HTTP and request-queue front doors to the graph pipeline."""
