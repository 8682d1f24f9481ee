# shellcheck shell=bash
# Sourced by bash at dyno boot (copied to the app's .profile.d/ by the Python buildpack).
#
# Heroku's router is the only client that can reach the dyno, so gunicorn can trust the
# X-Forwarded-* headers from any address: without this, request.scheme is "http" for HTTPS
# requests. Always set, because a narrower value cannot match the router's addresses.
export FORWARDED_ALLOW_IPS='*'

# Log each request to stdout (Heroku's log stream) unless the app chose its own arguments.
export GUNICORN_CMD_ARGS="${GUNICORN_CMD_ARGS:---access-logfile -}"
