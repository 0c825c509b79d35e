"""buying-groups: Marketo-style B2B extracts -> buying groups, scores and activation files."""

__version__ = "0.1.0"
