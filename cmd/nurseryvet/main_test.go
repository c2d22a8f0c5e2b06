package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rawgo is off unless the arguments name it; the flag goes first, where
// flags are parsed.
func TestWithDefaults(t *testing.T) {
	off := "-rawgo=false"
	tests := []struct {
		give []string
		want []string
	}{
		{give: []string{"nv", "./..."}, want: []string{"nv", off, "./..."}},
		{give: []string{"nv", "-json", "./..."}, want: []string{"nv", off, "-json", "./..."}},
		{give: []string{"nv", "-lostgroup=false", "./..."}, want: []string{"nv", off, "-lostgroup=false", "./..."}},
		{give: []string{"nv", "-rawgo", "./..."}, want: []string{"nv", "-rawgo", "./..."}},
		{give: []string{"nv", "--rawgo", "./..."}, want: []string{"nv", "--rawgo", "./..."}},
		{give: []string{"nv", "-rawgo=true", "./..."}, want: []string{"nv", "-rawgo=true", "./..."}},
		{give: []string{"nv", "-flags"}, want: []string{"nv", off, "-flags"}},
		{give: []string{"nv", "rawgo"}, want: []string{"nv", off, "rawgo"}}, // a package named rawgo
		{give: []string{"nv", "--", "-rawgo"}, want: []string{"nv", off, "--", "-rawgo"}},
		{give: []string{"nv"}, want: []string{"nv", off}},
	}
	for _, tt := range tests {
		if got := withDefaults(tt.give); !slices.Equal(got, tt.want) {
			t.Errorf("withDefaults(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// build builds the nurseryvet command into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nurseryvet")
	out, err := exec.Command(goCmd(t), "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func goCmd(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs a command in dir with extra environment variables and returns
// its combined output and exit code.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	return "", 0
}

// gopath is the environment that makes the go command see testdata as a
// GOPATH tree, with the stubs of the library and the seeded mistakes.
func gopath(t *testing.T) []string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return []string{"GOPATH=" + dir, "GO111MODULE=off", "GOFLAGS=", "GOWORK=off"}
}

// The command runs standalone and as go vet's vet tool, with rawgo off
// unless -rawgo is given, and exits non-zero on findings.
func TestCommand(t *testing.T) {
	bin := build(t)
	env := gopath(t)
	src := filepath.Join(env[0][len("GOPATH="):], "src")
	tests := []struct {
		name     string
		args     []string
		wantExit bool   // a non-zero exit
		want     string // in the output
		wantNot  string // not in the output
	}{
		{name: "standalone", args: []string{bin, "lostgroup"}, wantExit: true, want: "g (group) is not closed on every path"},
		{name: "standalone, rawgo off", args: []string{bin, "rawgo"}},
		{name: "standalone -rawgo", args: []string{bin, "-rawgo", "rawgo"}, wantExit: true, want: "go statement where group g is at hand"},
		{name: "standalone, one check", args: []string{bin, "-waitinside", "lostgroup"}},
		{name: "standalone, all but one", args: []string{bin, "-lostgroup=false", "lostgroup"}, wantNot: "lostgroup"},
		{name: "vet tool", args: []string{goCmd(t), "vet", "-vettool=" + bin, "waitinside"}, wantExit: true, want: "g.Wait called from a task of g"},
		{name: "vet tool, rawgo off", args: []string{goCmd(t), "vet", "-vettool=" + bin, "rawgo"}},
		{name: "vet tool -rawgo", args: []string{goCmd(t), "vet", "-vettool=" + bin, "-rawgo", "rawgo"}, wantExit: true, want: "go statement where group g is at hand"},
		{name: "vet tool -droppedsubmit.blank", args: []string{goCmd(t), "vet", "-vettool=" + bin, "-droppedsubmit.blank", "droppedsubmit/blank"}, wantExit: true, want: "the error of TryPut is discarded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := run(t, src, env, tt.args[0], tt.args[1:]...)
			if (code != 0) != tt.wantExit {
				t.Fatalf("exit code %d, want non-zero: %v\n%s", code, tt.wantExit, out)
			}
			if tt.want != "" && !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if tt.wantNot != "" && strings.Contains(out, tt.wantNot) {
				t.Errorf("output has %q:\n%s", tt.wantNot, out)
			}
			if !tt.wantExit && strings.TrimSpace(out) != "" {
				t.Errorf("unexpected output:\n%s", out)
			}
		})
	}
}

// known is a finding TestRepository expects, by file and check; a comment
// beside each entry says why it is deliberate. Prefer a
// //nurseryvet:ignore comment at the site, which keeps the reason there.
type known struct {
	file, check string
}

var knownFindings = []known{}

// The repository's own code, the errgroup drop-in's tests included, gives
// no findings (rawgo aside, which is off by default) but the known ones,
// and each known one still occurs.
func TestRepository(t *testing.T) {
	bin := build(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var findings []string
	for _, mod := range []string{".", "tests/bench", "cmd/nurseryvet"} {
		dir := filepath.Join(root, mod)
		out, code := run(t, dir, nil, bin, "-json", "-test", "./...")
		if code != 0 {
			t.Fatalf("nurseryvet -json ./... in %s: exit code %d\n%s", mod, code, out)
		}
		fs, err := parseJSON(root, out)
		if err != nil {
			t.Fatalf("%s: %v\n%s", mod, err, out)
		}
		findings = append(findings, fs...)
	}
	findings = dedupe(findings)
	if len(findings) == 0 && len(knownFindings) > 0 {
		t.Log("no findings at all: remove the entries of knownFindings")
	}
	matched := make([]bool, len(knownFindings))
	for _, f := range findings {
		i := slices.IndexFunc(knownFindings, func(k known) bool {
			return strings.HasPrefix(f, k.file+":") && strings.Contains(f, " "+k.check+": ")
		})
		if i < 0 {
			t.Errorf("finding: %s", f)
			continue
		}
		matched[i] = true
	}
	for i, ok := range matched {
		if !ok {
			t.Errorf("known finding %s (%s) no longer occurs: remove it from knownFindings", knownFindings[i].file, knownFindings[i].check)
		}
	}
}

// parseJSON returns nurseryvet -json's findings as "file:line:col check:
// message" lines, with file relative to root.
func parseJSON(root, out string) ([]string, error) {
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		return nil, err
	}
	var lines []string
	for pkg, checks := range tree {
		for check, raw := range checks {
			var diags []struct {
				Posn    string `json:"posn"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(raw, &diags); err != nil {
				return nil, fmt.Errorf("%s: %s: %s", pkg, check, raw)
			}
			for _, d := range diags {
				posn, err := filepath.Rel(root, d.Posn)
				if err != nil {
					posn = d.Posn
				}
				lines = append(lines, fmt.Sprintf("%s %s: %s", filepath.ToSlash(posn), check, d.Message))
			}
		}
	}
	return lines, nil
}

// dedupe sorts lines and drops repeats (a file of a package is checked
// once for the package and again for its test variant).
func dedupe(lines []string) []string {
	sort.Strings(lines)
	return slices.Compact(lines)
}
