#!/bin/bash
# The man page fwkit(1) and the bash completion are generated from the command and option tables
# (cmake/gen-docs.cmake): every command `fwkit help` lists, with its synopsis, summary and every
# option line of its --help, appears in the man page as man(1) renders it, and nothing more; the
# completion offers the commands and each command's options. A page with one option taken out
# must fail the same comparison, so the check can fail.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need python3 man
DIR=$(dirname "$FWKIT")
PAGE=$DIR/fwkit.1
COMPLETION=$DIR/fwkit.bash-completion
check man-page-built test -s "$PAGE"
check completion-built test -s "$COMPLETION"

"$FWKIT" help > help.txt
sed -n 's/^  \([a-z]\+\( [a-z-]\+\)\?\) \+.*/\1/p' help.txt > commands.txt
while read -r c; do
	# shellcheck disable=SC2086
	"$FWKIT" $c --help > "help-${c/ /_}.txt"
done < commands.txt
check commands-listed test "$(wc -l < commands.txt)" -ge 22

# man(1) renders the page (groff); -l: this file, not one from MANPATH
render() { MANWIDTH=160 MAN_KEEP_FORMATTING=0 man -l "$1" 2> render.err | col -b > "$2"; }
# agrees RENDERED: every command's --help is in its subsection, and the subsection has no option
# that --help lacks; prints what disagrees
cat > agrees.py << 'PY'
import re, sys
rendered = open(sys.argv[1]).read()
commands = [l.strip() for l in open("commands.txt") if l.strip()]
norm = lambda s: " ".join(s.split())
body = rendered.split("\nCOMMANDS\n", 1)[1]
body = re.split(r"\n[A-Z][A-Z ]+\n", body, 1)[0]
sections = {}
name = None
for line in body.splitlines():
    if re.match(r"^   \S", line):
        name = line.strip()
        sections[name] = []
    elif name:
        sections[name].append(line)
bad = 0
for c in commands:
    if c not in sections:
        print("missing from the man page: %s" % c); bad += 1; continue
    text = norm("\n".join(sections[c]))
    help_lines = open("help-%s.txt" % c.replace(" ", "_")).read().splitlines()
    synopsis = help_lines[0][len("usage: "):]
    summary = help_lines[2]
    opts = [norm(l) for l in help_lines[help_lines.index("options:") + 1:] if l.startswith("  ")]
    for want in [synopsis, summary] + opts:
        if norm(want) not in text:
            print("%s: the man page lacks: %s" % (c, want)); bad += 1
    page_opts = [l for l in sections[c] if re.match(r"^       -", l)]
    if len(page_opts) != len(opts):
        print("%s: %d options in the man page, %d in --help" % (c, len(page_opts), len(opts))); bad += 1
for extra in sorted(set(sections) - set(commands)):
    print("in the man page, not in fwkit help: %s" % extra); bad += 1
sys.exit(1 if bad else 0)
PY
render "$PAGE" page.txt
check man-renders test -s page.txt
check man-renders-quietly test ! -s render.err
check man-name-section grep -q '^NAME' page.txt
python3 agrees.py page.txt > disagree.txt
check man-agrees-with-help test $? = 0
cat disagree.txt

# the comparison can fail: the page without one option line (and its help text) of env list
python3 - "$PAGE" << 'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index('.SS "env list"')
tp = next(i for i in range(start, len(lines)) if lines[i] == ".TP")
del lines[tp:tp + 3]
open("doctored.1", "w").write("\n".join(lines))
PY
render doctored.1 doctored.txt
python3 agrees.py doctored.txt > doctored-disagree.txt
check man-doctored-page-fails test $? = 1
check man-doctored-names-command grep -q '^env list: ' doctored-disagree.txt

# bash completion: source it and ask what a user's Tab would get
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fwkit; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}
check completion-first-word test "$(complete_words fwkit ide)" = identify
check completion-group test "$(complete_words fwkit env li)" = list
check completion-subcommands test "$(complete_words fwkit mac '' | sort | tr '\n' ' ')" = "list set "
check completion-option test "$(complete_words fwkit env list FILE --so)" = --sort
missing=0
while read -r c; do
	opts=$(sed -n 's/^  \(-.\)\?\(, \)\?\( *--[a-z-]*\)\?.*/\1 \3/p' "help-${c/ /_}.txt")
	# shellcheck disable=SC2086
	offered=$(complete_words fwkit $c -)
	for o in $opts; do
		grep -qx -- "$o" <<< "$offered" || { echo "completion of '$c -' lacks $o"; missing=$((missing + 1)); }
	done
done < commands.txt
check completion-every-option test $missing = 0
done_testing
