package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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

// usersFileName is the users file's name in the data directory, where
// the commands write it and the server looks for it.
const usersFileName = "users.json"

var userCommand = adminCommand{name: "user", usage: userUsage, want: "add, remove or list", kind: "users", base: usersFileName}

// runUser runs the user subcommands; stdin is read for --password-stdin.
func runUser(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, err := userCommand.start(args, stderr)
	if err != nil {
		return err
	}
	fs := sub.fs
	switch sub.verb {
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
		name, err := sub.parseOne(args[1:], "user NAME")
		if err != nil {
			return err
		}
		if err := auth.CheckUserName(name); err != nil {
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
		p := sub.path()
		if !*replace {
			users, err := auth.ReadUsers(p)
			if err != nil {
				return fmt.Errorf("user add: %w", err)
			}
			for _, u := range users {
				if u.Name == name {
					return errExists(p, name)
				}
			}
		}
		password := ""
		if *fromStdin {
			if password, err = readSecret(stdin, "password"); err != nil {
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
		err = auth.AddUser(p, auth.User{Name: name, Role: r, Hash: hash, Jobs: jobs}, *replace)
		if errors.Is(err, auth.ErrExists) {
			return errExists(p, name)
		}
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		verb := "added to"
		if *replace {
			verb = "written to"
		}
		fmt.Fprintf(stderr, "user %s (%s) %s %s\n", name, r, verb, p)
		if !*fromStdin {
			fmt.Fprintf(stderr, "its password, shown this once:\n")
			fmt.Fprintln(stdout, password)
		}
		return nil
	case "remove":
		name, err := sub.parseOne(args[1:], "user NAME")
		if err != nil {
			return err
		}
		p := sub.path()
		err = auth.RemoveUser(p, name)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("user remove: %s has no user %s", p, name)
		}
		if err != nil {
			return fmt.Errorf("user remove: %w", err)
		}
		fmt.Fprintf(stderr, "user %s removed from %s\n", name, p)
		return nil
	case "list":
		return listFile(sub, args[1:], stdout, auth.ReadUsers, []string{"NAME", "ROLE", "CREATED", "JOBS"}, func(u auth.User) []string {
			return []string{u.Name, string(u.Role), day(u.Created), strings.Join(u.Jobs, " ")}
		})
	}
	return sub.unknown()
}

func errExists(path, name string) error {
	return fmt.Errorf("user add: %s already has a user %s (--replace to change it, or user remove first)", path, name)
}
