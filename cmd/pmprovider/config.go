package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/ops"
)

// The server's configuration comes from flags, environment variables and
// a file, with the same names: the flag --query-budget is the variable
// PMPROVIDER_QUERY_BUDGET and the line "query-budget = 20000". A flag
// beats the environment, which beats the file, which beats the default.

// configFlag names the configuration file.
const configFlag = "config"

// envPrefix starts the environment variable of every flag.
const envPrefix = "PMPROVIDER_"

// envName returns the environment variable of flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseLayered parses args into fs, then sets each flag that args did not
// set from its environment variable, then from the --config file.
func parseLayered(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		if v, ok := lookupEnv(getenv, envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", envName(f.Name), err))
			}
			set[f.Name] = true
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	path := fs.Lookup(configFlag).Value.String()
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	entries, err := readConfig(f)
	if err != nil {
		return fmt.Errorf("%s:%w", path, err)
	}
	// Every line is checked, also those a flag or the environment
	// overrides; then the others are set, each once (a list flag's Set
	// replaces, but only one source may have its say).
	for _, e := range entries {
		if err := e.apply(fs); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %v", path, e.line, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, e := range entries {
		if !set[e.name] {
			_ = fs.Set(e.name, e.value)
		}
	}
	return nil
}

// lookupEnv is getenv telling an unset variable from an empty one where
// it can (os.Getenv cannot; os.LookupEnv can).
func lookupEnv(getenv func(string) string, name string) (string, bool) {
	if getenv == nil {
		return "", false
	}
	v := getenv(name)
	return v, v != ""
}

// An entry is one "name = value" line of a configuration file.
type entry struct {
	line        int
	name, value string
}

// apply checks the entry against fs: the name must be a flag of fs other
// than --config, and its value one the flag accepts (tried on a copy of
// the flag set, so that nothing is set).
func (e entry) apply(fs *flag.FlagSet) error {
	if e.name == configFlag {
		return errors.New("config: a configuration file cannot name another")
	}
	if fs.Lookup(e.name) == nil {
		return fmt.Errorf("unknown key %q%s", e.name, suggest(fs, e.name))
	}
	var c config
	scratch := serveFlags(&c, io.Discard)
	if err := scratch.Set(e.name, e.value); err != nil {
		return fmt.Errorf("%s: bad value %q: %v", e.name, e.value, err)
	}
	return nil
}

// suggest names a flag of fs that name may be a misspelling of.
func suggest(fs *flag.FlagSet, name string) string {
	best, dist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < dist {
			best, dist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// readConfig reads a configuration file: lines of name = value, blank
// lines and # comments. A value may be double-quoted (Go syntax), to keep
// spaces at its ends or a #.
func readConfig(r io.Reader) ([]entry, error) {
	var out []entry
	var errs []error
	sc := bufio.NewScanner(r)
	n := 0
	seen := map[string]int{}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("%d: want name = value, got %q", n, line))
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%d: %s: bad quoted value %s", n, name, value))
				continue
			}
			value = v
		} else if i := strings.Index(value, " #"); i >= 0 {
			value = strings.TrimSpace(value[:i])
		}
		if first, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("%d: %s is set again (first on line %d)", n, name, first))
			continue
		}
		seen[name] = n
		out = append(out, entry{line: n, name: name, value: value})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%d: %v", n, err))
	}
	return out, errors.Join(errs...)
}

const configUsage = `usage: pmprovider config check FILE
Checks a configuration file for --config: every line must be
"name = value" with the name of a server flag and a value it accepts,
and the settings must agree (as the server checks them at start).
`

// runConfig runs "pmprovider config check FILE".
func runConfig(args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 || args[0] != "check" {
		fmt.Fprint(stderr, configUsage)
		return flag.ErrHelp
	}
	path := args[1]
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err := readConfig(f)
	var problems []string
	if err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			problems = append(problems, path+":"+e)
		}
	}
	var c config
	fs := serveFlags(&c, io.Discard)
	good := true
	for _, e := range entries {
		if err := e.apply(fs); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", path, e.line, err))
			good = false
		}
	}
	if len(problems) == 0 && good {
		// Only the file: what the settings say together.
		_, err := parseFlagsEnv([]string{"--" + configFlag, path}, io.Discard, nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%s: %d problem(s)", path, len(problems))
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return nil
}

// newLogger returns the server's logger in format (text or json), which
// adds the request id to the records logged with a request's context.
func newLogger(format string, w io.Writer) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(ops.LogHandler(h))
}
