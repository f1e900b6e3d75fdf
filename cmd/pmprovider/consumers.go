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

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// The files of OAuth 1.0a under the data directory, unless flags say
// otherwise: the consumers the commands below register, and the access
// tokens the server issues.
const (
	consumersFileName   = "oauth-consumers.json"
	oauthTokensFileName = "oauth-tokens.json"
)

const consumerUsage = `usage: pmprovider consumer add NAME [--secret S | --secret-stdin] [--key K] [--role ROLE] [--consumers FILE | --data DIR]
       pmprovider consumer remove KEY [--consumers FILE | --data DIR]
       pmprovider consumer revoke-tokens KEY [--consumers FILE | --data DIR]
       pmprovider consumer list [--consumers FILE | --data DIR]

Registers the OAuth 1.0a consumers ("friends": IBM ELM and other Jazz
tools) that may act for the provider's users once a user allows them.
The consumers file (default <data>/` + consumersFileName + `) is written with mode
0600 and keeps each secret in clear, because checking an HMAC-SHA1
signature needs it: protect it like a password file.

add makes a random key, and a random secret unless --secret or
--secret-stdin gives one, and prints them: give both to the consumer's
administrator. With --role the consumer may also sign requests without a
user's token (two-legged), with that role. remove unregisters a consumer;
revoke-tokens voids every access token it holds, so its users must allow
it again. A running server sees a change within a second.

`

// runConsumer runs the consumer subcommands; stdin is read for
// --secret-stdin.
func runConsumer(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, consumerUsage)
		return errors.New("consumer: want add, remove, revoke-tokens or list")
	}
	cmd := args[0]
	fs := newFlagSet("pmprovider consumer "+cmd, consumerUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` whose "+consumersFileName+" is the consumers file")
	file := fs.String("consumers", "", "consumers `file` (default <data>/"+consumersFileName+")")
	path := func() string {
		if *file != "" {
			return *file
		}
		return filepath.Join(*dataDir, consumersFileName)
	}
	var secret, key, role string
	var secretStdin bool
	if cmd == "add" {
		fs.StringVar(&secret, "secret", "", "the consumer `secret` (default: a random one, printed); visible to other users of this machine while the command runs")
		fs.BoolVar(&secretStdin, "secret-stdin", false, "read the secret from the first line of standard input")
		fs.StringVar(&key, "key", "", "the consumer `key` (default: a random one, printed); letters, digits and -._~")
		fs.StringVar(&role, "role", "", "the `role` of the consumer's two-legged requests: admin, customer, other-pss or governance (default: none, only on behalf of a user)")
	}
	operands, err := consumerParse(fs, args[1:])
	if err != nil {
		return err
	}
	one := func(what string) (string, error) {
		if len(operands) != 1 {
			return "", fmt.Errorf("consumer %s: want one %s", cmd, what)
		}
		return operands[0], nil
	}
	p := path()
	switch cmd {
	case "add":
		name, err := one("consumer NAME")
		if err != nil {
			return err
		}
		c := auth.Consumer{Name: name, Key: key, Secret: secret}
		if role != "" {
			r, err := auth.ParseRole(role)
			if err != nil {
				return fmt.Errorf("consumer add: --role: %w", err)
			}
			c.Role = r
		}
		if secretStdin {
			if secret != "" {
				return errors.New("consumer add: give --secret or --secret-stdin, not both")
			}
			if c.Secret, err = consumerReadSecret(stdin); err != nil {
				return fmt.Errorf("consumer add: --secret-stdin: %w", err)
			}
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("consumer add: %w", err)
		}
		c, err = auth.AddConsumer(p, c)
		if errors.Is(err, auth.ErrExists) {
			return fmt.Errorf("consumer add: %s: %w (consumer list shows the consumers already registered)", p, err)
		}
		if err != nil {
			return fmt.Errorf("consumer add: %s: %w", p, err)
		}
		roleText := "no two-legged requests"
		if c.Role != "" {
			roleText = "two-legged requests as " + string(c.Role)
		}
		fmt.Fprintf(stderr, "consumer %q (%s) added to %s\n", c.Name, roleText, p)
		fmt.Fprintf(stdout, "key    %s\n", c.Key)
		if secret == "" && !secretStdin {
			fmt.Fprintf(stderr, "its secret, shown this once (the file keeps it, readable by its owner only):\n")
			fmt.Fprintf(stdout, "secret %s\n", c.Secret)
		}
		return nil
	case "remove", "revoke-tokens":
		k, err := one("consumer KEY")
		if err != nil {
			return err
		}
		edit, done := auth.RemoveConsumer, "removed from"
		if cmd == "revoke-tokens" {
			edit, done = auth.RevokeConsumerTokens, "has no valid access tokens now in"
		}
		err = edit(p, k)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("consumer %s: %s has no consumer of key %s (consumer list shows them)", cmd, p, k)
		}
		if err != nil {
			return fmt.Errorf("consumer %s: %w", cmd, err)
		}
		fmt.Fprintf(stderr, "consumer %s %s %s\n", k, done, p)
		return nil
	case "list":
		if len(operands) > 0 {
			return fmt.Errorf("consumer list: unexpected argument %q", operands[0])
		}
		cs, err := auth.ReadConsumers(p)
		if err != nil {
			return fmt.Errorf("consumer list: %w", err)
		}
		if len(cs) == 0 {
			fmt.Fprintf(stderr, "no consumers in %s\n", p)
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tNAME\tROLE\tADDED")
		for _, c := range cs {
			role, added := string(c.Role), "-"
			if role == "" {
				role = "-"
			}
			if !c.Added.IsZero() {
				added = c.Added.UTC().Format("2006-01-02 15:04Z")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Key, c.Name, role, added)
		}
		return tw.Flush()
	}
	fmt.Fprint(stderr, consumerUsage)
	return fmt.Errorf("consumer: unknown subcommand %q (want add, remove, revoke-tokens or list)", cmd)
}

// consumerParse parses args with fs, flags before or after the operands
// (consumer add NAME --role ROLE), and returns the operands. Everything
// after "--" is an operand.
func consumerParse(fs *flag.FlagSet, args []string) ([]string, error) {
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

// consumerReadSecret returns the first line of r, without its line end.
func consumerReadSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty secret on standard input")
	}
	return line, nil
}
