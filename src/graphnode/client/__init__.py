"""The ``graphnode`` command's user side: it talks to the API over HTTP, like any client."""
