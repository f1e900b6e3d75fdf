package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// An adminCommand is one of the commands that edit a file of the data
// directory (user, token, consumer): they take the same --data and
// --<kind> flags, operands among the flags, and list their file alike.
type adminCommand struct {
	name  string // "user"
	usage string
	want  string // its subcommands, for errors: "add, remove or list"
	kind  string // what the file holds, and the flag that names it: "users"
	base  string // the file's name under --data: "users.json"
}

// adminRun is a run of one subcommand of an adminCommand.
type adminRun struct {
	c      *adminCommand
	verb   string // "add"
	stderr io.Writer
	// fs holds --data and --<kind>; the subcommand adds its own flags
	// before it parses.
	fs         *flag.FlagSet
	data, file *string
}

// start starts the subcommand args[0] of c, or refuses args without one.
func (c *adminCommand) start(args []string, stderr io.Writer) (*adminRun, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, c.usage)
		return nil, fmt.Errorf("%s: want %s", c.name, c.want)
	}
	r := &adminRun{c: c, verb: args[0], stderr: stderr}
	r.fs = newFlagSet("pmprovider "+r.name(), c.usage, stderr)
	r.data = r.fs.String("data", "data", "`directory` whose "+c.base+" is the "+c.kind+" file")
	r.file = r.fs.String(c.kind, "", c.kind+" `file` (default <data>/"+c.base+")")
	return r, nil
}

// name is the subcommand's name in errors: "user add".
func (r *adminRun) name() string { return r.c.name + " " + r.verb }

// path is the file the flags name; call it after parsing.
func (r *adminRun) path() string {
	if *r.file != "" {
		return *r.file
	}
	return filepath.Join(*r.data, r.c.base)
}

// parseOne parses args, flags and one operand, what the operand is.
func (r *adminRun) parseOne(args []string, what string) (string, error) {
	ops, err := parseWithOperands(r.fs, args)
	if err != nil {
		return "", err
	}
	if len(ops) != 1 {
		return "", fmt.Errorf("%s: want one %s", r.name(), what)
	}
	return ops[0], nil
}

// parseNone parses args, flags only.
func (r *adminRun) parseNone(args []string) error {
	ops, err := parseWithOperands(r.fs, args)
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		return fmt.Errorf("%s: unexpected argument %q", r.name(), ops[0])
	}
	return nil
}

// unknown refuses a subcommand the command does not have.
func (r *adminRun) unknown() error {
	fmt.Fprint(r.stderr, r.c.usage)
	return fmt.Errorf("%s: unknown subcommand %q (want %s)", r.c.name, r.verb, r.c.want)
}

// listFile runs a list subcommand: it prints the items that read returns
// from the file, the cells of a row each, in columns under header; or
// says on stderr that the file has none, so that a script reading stdout
// sees no rows.
func listFile[T any](sub *adminRun, args []string, stdout io.Writer, read func(path string) ([]T, error), header []string, row func(T) []string) error {
	if err := sub.parseNone(args); err != nil {
		return err
	}
	p := sub.path()
	items, err := read(p)
	if err != nil {
		return fmt.Errorf("%s: %w", sub.name(), err)
	}
	if len(items) == 0 {
		fmt.Fprintf(sub.stderr, "no %s in %s\n", sub.c.kind, p)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(row(it), "\t"))
	}
	return tw.Flush()
}

// day is t as a date and time for a listing, or "-".
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// readSecret returns the first line of r, without its line end; what
// names the secret in the error of an empty line.
func readSecret(r io.Reader, what string) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, 4096), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty %s on standard input", what)
	}
	return line, nil
}

// parseWithOperands parses args with fs, letting flags come after the
// operands too (user add NAME --role ROLE), and returns the operands.
// Everything after "--" is an operand.
func parseWithOperands(fs *flag.FlagSet, args []string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return operands, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(operands, rest...), nil
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
}
