"""`python -m graphnode.worker`."""

from graphnode.entrypoint import not_built_yet

if __name__ == "__main__":
    not_built_yet("worker", "issue #3")
