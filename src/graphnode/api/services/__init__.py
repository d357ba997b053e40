"""What the API does, knowing nothing of HTTP: views call these and map their errors."""
