package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

const tokenUsage = `usage: pmprovider token create --role ROLE [--name TEXT] [--expires 720h] [--job IRI]... [--tokens FILE | --data DIR]
       pmprovider token revoke ID [--tokens FILE | --data DIR]
       pmprovider token list [--tokens FILE | --data DIR]

Manages the API tokens that clients send as "Authorization: Bearer pmt_..."
(default file <data>/tokens.json; written with mode 0600). create prints
the token once: the file keeps only its SHA-256. Every token expires;
--expires takes a Go duration or a number of days (30d). Roles: admin,
customer, other-pss, governance, agent; an agent token needs --job, once
per job it may push samples to. A running server sees a change within a
second.

`

// tokensFileName is the API tokens file's name in the data directory.
const tokensFileName = "tokens.json"

var tokenCommand = adminCommand{name: "token", usage: tokenUsage, want: "create, revoke or list", kind: "tokens", base: tokensFileName}

// runToken runs the token subcommands.
func runToken(args []string, stdout, stderr io.Writer) error {
	sub, err := tokenCommand.start(args, stderr)
	if err != nil {
		return err
	}
	fs := sub.fs
	switch sub.verb {
	case "create":
		role := fs.String("role", "", "the token's `role`: admin, customer, other-pss, governance or agent")
		name := fs.String("name", "", "what or whom the token is for (a comment)")
		expires := 720 * time.Hour
		fs.Func("expires", "how long the token works: a `duration` (720h) or days (30d); default 720h", func(v string) error {
			d, err := parseLifetime(v)
			expires = d
			return err
		})
		var jobs []string
		fs.Func("job", "`IRI` of a measurement job an agent may push to (repeat for more)", func(v string) error {
			jobs = append(jobs, v)
			return nil
		})
		rest, err := parseWithOperands(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return fmt.Errorf("token create: unexpected argument %q (flags start with --)", rest[0])
		}
		if *role == "" {
			return errors.New("token create: --role is required (admin, customer, other-pss, governance or agent)")
		}
		r, err := auth.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("token create: --role: %w", err)
		}
		if err := auth.CheckJobs(r, jobs); err != nil {
			return fmt.Errorf("token create: --job: %w", err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		tok, secret, err := auth.NewToken(auth.Token{Name: *name, Role: r, Jobs: jobs, Created: now, Expires: now.Add(expires)})
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		p := sub.path()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		if err := auth.AddToken(p, tok); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintf(stderr, "token %s (%s) added to %s, expires %s; the token, shown this once:\n", tok.ID, r, p, tok.Expires.Format(time.RFC3339))
		fmt.Fprintln(stdout, secret)
		return nil
	case "revoke":
		id, err := sub.parseOne(args[1:], "token ID")
		if err != nil {
			return err
		}
		// Accept the whole token too: whoever holds a leaked one may not
		// know its id.
		if rest, ok := strings.CutPrefix(id, auth.TokenPrefix); ok {
			id, _, _ = strings.Cut(rest, "_")
		}
		p := sub.path()
		err = auth.RevokeToken(p, id)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("token revoke: %s has no token %s", p, id)
		}
		if err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(stderr, "token %s revoked (removed from %s)\n", id, p)
		return nil
	case "list":
		now := time.Now()
		return listFile(sub, args[1:], stdout, auth.ReadTokens, []string{"ID", "ROLE", "CREATED", "EXPIRES", "NAME", "JOBS"}, func(t auth.Token) []string {
			exp := day(t.Expires)
			if !now.Before(t.Expires) {
				exp += " (expired)"
			}
			return []string{t.ID, string(t.Role), day(t.Created), exp, t.Name, strings.Join(t.Jobs, " ")}
		})
	}
	return sub.unknown()
}

// parseLifetime parses a token's lifetime: a positive Go duration, or a
// number of days ("30d"), which durations lack.
func parseLifetime(v string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want a duration (720h) or days (30d)", v)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("%q: want a duration (720h) or days (30d)", v)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: want a positive lifetime (every token expires)", v)
	}
	return d, nil
}
