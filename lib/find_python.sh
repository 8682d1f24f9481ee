#!/usr/bin/env bash
# Finds the interpreter the buildpack's own code runs on (sourced by the bin/ shims).
#
# The build image's python3 is used when it is 3.10+ and (for compile) can import
# `packaging` and a TOML reader. Otherwise (heroku-22 lacks `packaging`; other images may
# have no python3 at all) a Python runtime is fetched from the same runtime source as app
# runtimes, into the build cache, and the pinned requirements are installed beside it with
# that runtime's bundled pip. Later builds reuse it.
#
# Shims call `run_buildpack CACHE_DIR ENV_DIR COMMAND ARGS...`.

BUILDPACK_DEFAULT_RUNTIME_URL="https://heroku-buildpack-python.s3.dualstack.us-east-1.amazonaws.com"

_bp_python=""
_bp_deps=""
_bp_libdir=""

_bp_error() {
	local line
	{
		echo
		while IFS= read -r line; do echo " !     ${line}"; done <<<"$1"
		echo
	} >&2
}

_bp_setting() {
	# A process env var wins over a config var file of the same name.
	local name="$1" env_dir="$2"
	if [[ -n "${!name:-}" ]]; then
		printf '%s' "${!name}"
	elif [[ -n "${env_dir}" && -f "${env_dir}/${name}" ]]; then
		cat "${env_dir}/${name}"
	fi
}

_bp_bootstrap() {
	local cache_dir="$1" env_dir="$2" bp_dir="$3"
	local dir="${cache_dir}/.heroku/buildpack-python"
	local base ubuntu arch machine minor version archive stamp_input stamp wheel

	base=$(_bp_setting PYTHON_RUNTIME_BASE_URL "${env_dir}")
	base="${base:-${BUILDPACK_DEFAULT_RUNTIME_URL}}"
	base="${base%/}"
	ubuntu="${STACK#heroku-}.04"
	machine=$(uname -m)
	case "${machine}" in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) arch="${machine}" ;;
	esac

	minor=$(sed -n 's/^default = "\(.*\)"$/\1/p' "${bp_dir}/vendor/python-versions.toml")
	version=$(sed -n "s/^\"${minor}\" = \"\\(.*\\)\"$/\\1/p" "${bp_dir}/vendor/python-versions.toml")
	# A mirror's index.txt may offer other patch releases: take the newest of the default minor.
	local listed
	if [[ "${base}" != "${BUILDPACK_DEFAULT_RUNTIME_URL}" ]]; then
		listed=$(curl --silent --fail --location --connect-timeout 5 --max-time 20 "${base}/index.txt" 2>/dev/null |
			sed -n "s/^python-\\(${minor//./\\.}\\.[0-9]*\\)-ubuntu-${ubuntu}-${arch}\\.tar\\.zst\$/\\1/p" |
			sort -V | tail -n 1) || true
		[[ -n "${listed}" ]] && version="${listed}"
	fi
	archive="python-${version}-ubuntu-${ubuntu}-${arch}.tar.zst"

	stamp_input="${archive} $(cat "${bp_dir}/vendor/buildpack-requirements.txt")"
	stamp=$(printf '%s' "${stamp_input}" | sha256sum | cut -d' ' -f1)
	if [[ -f "${dir}/stamp" && "$(cat "${dir}/stamp")" == "${stamp}" && -x "${dir}/python/bin/python3" ]]; then
		_bp_python="${dir}/python/bin/python3"
		_bp_deps="${dir}/site"
		_bp_libdir="${dir}/python/lib"
		return 0
	fi

	echo "-----> Preparing Python ${version} to run the buildpack (the build image's python3 cannot)" >&2
	# Built beside its final place and moved in whole: concurrent builds never see half of it.
	local final="${dir}"
	dir="${final}.tmp.$$"
	rm -rf "${dir}"
	mkdir -p "${dir}/python" "${dir}/site"
	if ! curl --silent --show-error --fail --location --retry 3 --retry-connrefused \
		--connect-timeout 10 --max-time 300 "${base}/${archive}" | zstd -d -q | tar -x -C "${dir}/python"; then
		rm -rf "${dir}"
		_bp_error "Error: Could not download Python to run the buildpack

The build image's python3 is missing or lacks the 'packaging' module, so the
buildpack needs its own Python, but downloading it failed:
  ${base%%://*}://…/${archive}

1. Check that PYTHON_RUNTIME_BASE_URL (if set) points at a working runtime mirror.
2. Try the build again: the failure may be temporary."
		return 1
	fi
	wheel=$(find "${dir}/python/lib" -path '*/ensurepip/_bundled/pip-*.whl' | sort -V | tail -n 1)
	if [[ -z "${wheel}" ]] || ! LD_LIBRARY_PATH="${dir}/python/lib" "${dir}/python/bin/python3" -I "${wheel}/pip" \
		install --quiet --disable-pip-version-check --no-input --target "${dir}/site" \
		-r "${bp_dir}/vendor/buildpack-requirements.txt" >&2; then
		rm -rf "${dir}"
		_bp_error "Error: Could not install the buildpack's own requirements

Installing $(grep -v '^#' "${bp_dir}/vendor/buildpack-requirements.txt" | cut -d';' -f1 | tr '\n' ' ')
for the buildpack's own Python failed (see the output above).
Try the build again: the package index may have been unreachable."
		return 1
	fi
	printf '%s' "${stamp}" >"${dir}/stamp"
	rm -rf "${final}"
	mv -T "${dir}" "${final}" 2>/dev/null || rm -rf "${dir}"
	dir="${final}"
	_bp_python="${dir}/python/bin/python3"
	_bp_deps="${dir}/site"
	_bp_libdir="${dir}/python/lib"
}

# Runs `lib/entry.py ARGS...` on the build image's python3 when it can; entry.py exits 97
# (before doing anything) when that interpreter is too old or lacks the dependencies, and
# then the buildpack's own Python is prepared and used instead. Asking entry.py itself saves
# starting an interpreter just to check, on every build.
run_buildpack() {
	local cache_dir="$1" env_dir="$2"
	shift 2
	local bp_dir candidate rc
	bp_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	candidate=$(command -v python3 || true)
	if [[ -n "${candidate}" ]]; then
		rc=0
		"${candidate}" -I -S "${bp_dir}/lib/entry.py" "$@" || rc=$?
		if ((rc != 97)); then
			exit "${rc}"
		fi
	fi
	if [[ -z "${cache_dir}" ]]; then
		cache_dir="${TMPDIR:-/tmp}/python-buildpack-bootstrap"
	fi
	_bp_bootstrap "${cache_dir}" "${env_dir}" "${bp_dir}" || exit 1
	local orig="${LD_LIBRARY_PATH-__unset__}"
	# The bootstrap runtime needs its own lib dir; the buildpack restores the caller's
	# LD_LIBRARY_PATH for the processes it starts.
	export _BUILDPACK_DEPS="${_bp_deps}" _BUILDPACK_ORIG_LD_LIBRARY_PATH="${orig}"
	export LD_LIBRARY_PATH="${_bp_libdir}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
	exec "${_bp_python}" -I -S "${bp_dir}/lib/entry.py" "$@"
}
