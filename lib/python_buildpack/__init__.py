"""A Heroku classic buildpack for Python apps."""
