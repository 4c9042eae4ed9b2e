"""evidencebot: a living systematic review of second-line therapy in advanced biliary tract cancer."""

__version__ = "0.1.0"
