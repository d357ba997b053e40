"""`python -m graphnode.api`."""

from graphnode.entrypoint import not_built_yet

if __name__ == "__main__":
    not_built_yet("api", "issue #5")
