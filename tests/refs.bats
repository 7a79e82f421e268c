#!/usr/bin/env bats
# Every reference resolves from a clone: no tracked file points outside the
# repository, and every file of the repository that a document or a comment
# names is in the tree.  Both tests read the list of tracked files from git,
# so an unpacked tarball (no .git) skips them.  A failure lists each
# offending reference as FILE:LINE, for whoever fixes them.

setup() {
	load lib
	cd "$TOP" || return 1
	command -v git >/dev/null || skip "git is not installed: no list of tracked files"
	git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		skip "not a git checkout (a tarball?): no list of tracked files to check"
}

@test "no tracked file points outside the repository" {
	# The team's fact files sit next to the repository, not in it, and a
	# "section N" sign cites one of them: a clone has none.  The brackets
	# keep this file from matching its own pattern.
	local pat='[.][.]/shared|avf[-]facts|vfio[-]facts|dpdk[-]facts|field[-]notes|'$'\xc2\xa7'
	run env LC_ALL=C git grep -n -I -E "$pat"
	[ "$status" -le 1 ] || { echo "git grep failed: $output"; return 1; }
	if [ "$status" -eq 0 ]; then
		echo "$(echo "$output" | wc -l) lines cite files outside the repository;"
		echo "cite the public source (Linux/DPDK file and function, virtchnl.h name,"
		echo "Intel document and section) or a file of the repository instead:"
		echo "$output"
		return 1
	fi
}

# comment_text FILE: "LINE:TEXT" for each line of FILE a reader reads as
# prose: every line of Markdown; the comment part of C (from "/*" or "//",
# or a line starting with "*") and of shell, bats and Makefiles (from a "#"
# at the start or after a blank).  Code is left out: the compiler and the
# shell already check the paths code uses.
comment_text() {
	local f=$1 kind=none
	case $f in
	*.md) kind=md ;;
	*.c | *.h) kind=c ;;
	*.bats | *.bash | *.sh | Makefile) kind=shell ;;
	# extensionless scripts (tests/run, .ci/run): shell when their #! says so
	*) head -1 "$f" | grep -q '^#!.*sh' && kind=shell ;;
	esac
	case $kind in
	md) grep -n '' "$f" ;;
	c) grep -n -E '/\*|//|^[[:space:]]*\*' "$f" | sed -E 's#^([0-9]+:)([^/]|/[^*/])*(/\*|//)#\1\3#' ;;
	shell) grep -n -E '(^|[[:space:]])#' "$f" | sed -E 's|^([0-9]+:)([^#]*[[:space:]])?#|\1#|' ;;
	esac
}

# check_ref FILE TOKEN: does TOKEN, a file name FILE's prose cites, resolve?
# Prints the reason when it does not.  The matcher, kept simple:
#  - "/..." is an absolute path (a host file, a URL's tail): not checked;
#  - "./x" and "../x" are relative to FILE's directory and must exist inside
#    the repository;
#  - "a/b/x.c" is a repository path when "a" is an entry of the top level
#    (tests/sim/README.md) or of FILE's directory (sim/pf.c from tests/),
#    and must then exist; any other first component (drivers/..., include/...,
#    app/...) is an upstream path: not checked;
#  - a bare "x.c" is a repository file when the repository tracks a file of
#    that name somewhere; it must then be next to FILE or in a directory
#    above it, where a reader looks (robust.bats from tests/sim/ is found;
#    a bare name of a file in tests/sim/, cited from the top, is not).
#    Other bare names are upstream files (iavf_main.c, i40e_virtchnl_pf.c):
#    not checked.
check_ref() {
	local f=$1 t=$2 dir first rel
	dir=$(dirname "$f")
	case $t in
	/*) return 0 ;;
	./* | ../*)
		rel=$(realpath -m --relative-to=. "$dir/$t")
		case $rel in ../*) echo "points outside the repository" && return 0 ;; esac
		[ -e "$rel" ] || echo "no such file ($rel)"
		;;
	*/*)
		first=${t%%/*}
		if [ -e "$first" ]; then
			[ -e "$t" ] || echo "no such file"
		elif [ -e "$dir/$first" ]; then
			[ -e "$dir/$t" ] || echo "no such file ($dir/$t)"
		fi
		;;
	*)
		local d=$dir where
		while true; do
			[ -e "$d/$t" ] && return 0
			[ "$d" != . ] || break
			d=$(dirname "$d")
		done
		where=$(grep -m1 -x -E "(.*/)?${t//./[.]}" "$tracked") || return 0
		echo "not in $dir/ or above it: give its path from the top ($where)"
		;;
	esac
}

# file_names: "LINE NAME" for each file name in comment_text's output: a
# word of letters, digits, "_", "-", "." and "/" ending in .md, .c, .h,
# .bats, .bash or .sh.
file_names() {
	awk -F: '{
		n = $1
		s = substr($0, length(n) + 2)
		while (match(s, /[A-Za-z0-9_.\/-]*[A-Za-z0-9_-][.](md|c|h|bats|bash|sh)([^A-Za-z0-9_]|$)/)) {
			t = substr(s, RSTART, RLENGTH)
			sub(/[^A-Za-z0-9_]$/, "", t)
			print n, t
			s = substr(s, RSTART + RLENGTH)
		}
	}'
}

@test "every file of the repository cited in documents and comments exists" {
	local tracked="$BATS_TEST_TMPDIR/tracked" bad="$BATS_TEST_TMPDIR/bad"
	local f n t why cited=0
	git ls-files >"$tracked"
	: >"$bad"
	while IFS= read -r f; do
		[ -f "$f" ] || continue
		grep -q -I '' "$f" || continue # binary (a pcap)
		while read -r n t; do
			cited=$((cited + 1))
			why=$(check_ref "$f" "$t")
			[ -z "$why" ] || echo "$f:$n: $t: $why" >>"$bad"
		done < <(comment_text "$f" | file_names)
	done <"$tracked"
	# The matcher must have found something: the READMEs cite files.
	[ "$cited" -gt 0 ] || { echo "no file name found in any document or comment"; return 1; }
	if [ -s "$bad" ]; then
		echo "$(wc -l <"$bad") citations name a repository file a reader cannot open:"
		cat "$bad"
		return 1
	fi
}
