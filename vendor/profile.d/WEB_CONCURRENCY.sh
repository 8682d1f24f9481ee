# shellcheck shell=bash
# Sourced by bash at dyno boot (copied to the app's .profile.d/ by the Python buildpack).
#
# Exports DYNO_RAM (memory limit in MB) and, unless the app already set WEB_CONCURRENCY
# (even to an empty value), a worker count that fits the dyno:
#   WEB_CONCURRENCY = min(max(1, memory MB / 256), 2 * CPU cores + 1)
# gunicorn, uvicorn and others read WEB_CONCURRENCY as their default number of workers.
#
# This file is sourced, not run: no `set -e`, no `exit`, and every helper is a local
# variable or a function that is unset again at the end. It also works when the sourcing
# shell has `set -eu` on.

# Prints a message to stderr, but only on web dynos so one-off and worker dynos stay quiet.
__python_buildpack_wc_log() {
	if [[ "${DYNO:-}" == web.* ]]; then
		echo "Python buildpack: $*" >&2
	fi
}

# Prints the limit in bytes stored in the given cgroup file, or nothing when the file is
# missing, unreadable, not a number, or so large that it means "no limit" (over 1 TB).
__python_buildpack_wc_read_limit() {
	local file="$1" value=""
	[[ -f "${file}" && -r "${file}" ]] || return 0
	# `|| true`: a last line without a newline still fills `value`, and a caller's `set -e`
	# must not end the shell that sources this file.
	read -r value 2>/dev/null <"${file}" || true
	# cgroup v2 writes "max" for no limit; anything else that isn't digits is unusable too.
	# (Glob patterns, not `=~`, so the caller's BASH_REMATCH is left alone.)
	[[ -n "${value}" && "${value}" != *[!0-9]* ]] || return 0
	# More than 13 digits is more than 1 TB; checking the length first avoids overflow.
	((${#value} <= 13 && 10#${value} <= 1099511627776)) || return 0
	echo "$((10#${value}))"
}

__python_buildpack_wc_main() {
	local limit_bytes memory_mb cores by_memory by_cores workers

	# cgroup v2 first (current stacks), then cgroup v1.
	limit_bytes="$(__python_buildpack_wc_read_limit /sys/fs/cgroup/memory.max)"
	if [[ -z "${limit_bytes}" ]]; then
		limit_bytes="$(__python_buildpack_wc_read_limit /sys/fs/cgroup/memory/memory.limit_in_bytes)"
	fi
	memory_mb=$((${limit_bytes:-0} / 1048576))
	if ((memory_mb < 1)); then
		__python_buildpack_wc_log "Could not find this dyno's memory limit, so WEB_CONCURRENCY and DYNO_RAM are left unchanged."
		return 0
	fi
	export DYNO_RAM="${memory_mb}"

	if [[ -n "${WEB_CONCURRENCY+set}" ]]; then
		__python_buildpack_wc_log "WEB_CONCURRENCY was set by the app, so it is being left as is."
		return 0
	fi

	cores="$(nproc 2>/dev/null)" || cores=""
	if [[ -z "${cores}" || "${cores}" == *[!0-9]* ]] || ((10#${cores} < 1)); then
		__python_buildpack_wc_log "Could not count this dyno's CPU cores, so WEB_CONCURRENCY is left unset."
		return 0
	fi
	cores=$((10#${cores}))

	by_memory=$((memory_mb / 256))
	((by_memory >= 1)) || by_memory=1
	by_cores=$((cores * 2 + 1))
	workers=$((by_memory < by_cores ? by_memory : by_cores))

	export WEB_CONCURRENCY="${workers}"
	export WEB_CONCURRENCY_SET_BY="heroku/python"
	__python_buildpack_wc_log "This dyno has ${memory_mb} MB of memory and ${cores} CPU cores."
	__python_buildpack_wc_log "Setting WEB_CONCURRENCY=${workers}: one worker per 256 MB of memory, at most 2 per core plus 1. Set WEB_CONCURRENCY yourself to choose another number."
}

__python_buildpack_wc_main
unset -f __python_buildpack_wc_main __python_buildpack_wc_read_limit __python_buildpack_wc_log
