package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

const userUsage = `usage: pmprovider user add NAME --role ROLE [--password-stdin] [--job IRI]... [--replace] [--bcrypt-cost 10] [--users FILE | --data DIR]
       pmprovider user remove NAME [--users FILE | --data DIR]
       pmprovider user list [--users FILE | --data DIR]

Manages the users file that HTTP Basic authenticates against (default
<data>/users.json; written with mode 0600). Passwords are kept as bcrypt
hashes. add reads the password from the first line of standard input with
--password-stdin, or makes a random one and prints it once. Roles: admin,
customer, other-pss, governance, agent; an agent needs --job, once per job
it may push samples to. A running server sees a change within a second.

`

// runUser runs the user subcommands; stdin is read for --password-stdin.
func runUser(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: want add, remove or list")
	}
	fs := newFlagSet("pmprovider user "+args[0], userUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` whose users.json is the users file")
	file := fs.String("users", "", "users `file` (default <data>/users.json)")
	path := func() string {
		if *file != "" {
			return *file
		}
		return filepath.Join(*dataDir, "users.json")
	}
	switch args[0] {
	case "add":
		role := fs.String("role", "", "the user's `role`: admin, customer, other-pss, governance or agent")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		replace := fs.Bool("replace", false, "replace the user if there is one of that name (a new password, role or jobs)")
		cost := fs.Int("bcrypt-cost", auth.DefaultBcryptCost, "bcrypt `cost` of the hash: each step up doubles the work of a check (4 to 31)")
		var jobs []string
		fs.Func("job", "`IRI` of a measurement job an agent may push to (repeat for more)", func(v string) error {
			jobs = append(jobs, v)
			return nil
		})
		names, err := parseWithOperands(fs, args[1:])
		if err != nil {
			return err
		}
		if len(names) != 1 {
			return errors.New("user add: want one user NAME")
		}
		if err := auth.CheckUserName(names[0]); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if *role == "" {
			return errors.New("user add: --role is required (admin, customer, other-pss, governance or agent)")
		}
		r, err := auth.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("user add: --role: %w", err)
		}
		if err := auth.CheckJobs(r, jobs); err != nil {
			return fmt.Errorf("user add: --job: %w", err)
		}
		// Refuse a name in use before the work of hashing (AddUser checks
		// again, against the file as it is then).
		p := path()
		if !*replace {
			users, err := auth.ReadUsers(p)
			if err != nil {
				return fmt.Errorf("user add: %w", err)
			}
			for _, u := range users {
				if u.Name == names[0] {
					return errExists(p, names[0])
				}
			}
		}
		password := ""
		if *fromStdin {
			if password, err = readPassword(stdin); err != nil {
				return fmt.Errorf("user add: --password-stdin: %w", err)
			}
		} else {
			password = auth.NewPassword()
		}
		hash, err := auth.HashPassword(password, *cost)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		err = auth.AddUser(p, auth.User{Name: names[0], Role: r, Hash: hash, Jobs: jobs}, *replace)
		if errors.Is(err, auth.ErrExists) {
			return errExists(p, names[0])
		}
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		verb := "added to"
		if *replace {
			verb = "written to"
		}
		fmt.Fprintf(stderr, "user %s (%s) %s %s\n", names[0], r, verb, p)
		if !*fromStdin {
			fmt.Fprintf(stderr, "its password, shown this once:\n")
			fmt.Fprintln(stdout, password)
		}
		return nil
	case "remove":
		names, err := parseWithOperands(fs, args[1:])
		if err != nil {
			return err
		}
		if len(names) != 1 {
			return errors.New("user remove: want one user NAME")
		}
		p := path()
		err = auth.RemoveUser(p, names[0])
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("user remove: %s has no user %s", p, names[0])
		}
		if err != nil {
			return fmt.Errorf("user remove: %w", err)
		}
		fmt.Fprintf(stderr, "user %s removed from %s\n", names[0], p)
		return nil
	case "list":
		rest, err := parseWithOperands(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("user list: unexpected argument %q", rest[0])
		}
		p := path()
		users, err := auth.ReadUsers(p)
		if err != nil {
			return fmt.Errorf("user list: %w", err)
		}
		if len(users) == 0 {
			fmt.Fprintf(stderr, "no users in %s\n", p)
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tJOBS")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, day(u.Created), strings.Join(u.Jobs, " "))
		}
		return tw.Flush()
	}
	fmt.Fprint(stderr, userUsage)
	return fmt.Errorf("user: unknown subcommand %q (want add, remove or list)", args[0])
}

func errExists(path, name string) error {
	return fmt.Errorf("user add: %s already has a user %s (--replace to change it, or user remove first)", path, name)
}

// readPassword returns the first line of r, without its line end.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, 4096), 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty password on standard input")
	}
	return line, nil
}

// day is t as a date and time for a listing, or "-".
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
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
