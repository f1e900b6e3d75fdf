package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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

var consumerCommand = adminCommand{name: "consumer", usage: consumerUsage, want: "add, remove, revoke-tokens or list", kind: "consumers", base: consumersFileName}

// runConsumer runs the consumer subcommands; stdin is read for
// --secret-stdin.
func runConsumer(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, err := consumerCommand.start(args, stderr)
	if err != nil {
		return err
	}
	fs := sub.fs
	switch sub.verb {
	case "add":
		secret := fs.String("secret", "", "the consumer `secret` (default: a random one, printed); visible to other users of this machine while the command runs")
		secretStdin := fs.Bool("secret-stdin", false, "read the secret from the first line of standard input")
		key := fs.String("key", "", "the consumer `key` (default: a random one, printed); letters, digits and -._~")
		role := fs.String("role", "", "the `role` of the consumer's two-legged requests: admin, customer, other-pss or governance (default: none, only on behalf of a user)")
		name, err := sub.parseOne(args[1:], "consumer NAME")
		if err != nil {
			return err
		}
		c := auth.Consumer{Name: name, Key: *key, Secret: *secret}
		if *role != "" {
			r, err := auth.ParseRole(*role)
			if err != nil {
				return fmt.Errorf("consumer add: --role: %w", err)
			}
			c.Role = r
		}
		if *secretStdin {
			if *secret != "" {
				return errors.New("consumer add: give --secret or --secret-stdin, not both")
			}
			if c.Secret, err = readSecret(stdin, "secret"); err != nil {
				return fmt.Errorf("consumer add: --secret-stdin: %w", err)
			}
		}
		p := sub.path()
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
		if *secret == "" && !*secretStdin {
			fmt.Fprintf(stderr, "its secret, shown this once (the file keeps it, readable by its owner only):\n")
			fmt.Fprintf(stdout, "secret %s\n", c.Secret)
		}
		return nil
	case "remove", "revoke-tokens":
		k, err := sub.parseOne(args[1:], "consumer KEY")
		if err != nil {
			return err
		}
		edit, done := auth.RemoveConsumer, "removed from"
		if sub.verb == "revoke-tokens" {
			edit, done = auth.RevokeConsumerTokens, "has no valid access tokens now in"
		}
		p := sub.path()
		err = edit(p, k)
		if errors.Is(err, auth.ErrNotFound) {
			return fmt.Errorf("%s: %s has no consumer of key %s (consumer list shows them)", sub.name(), p, k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", sub.name(), err)
		}
		fmt.Fprintf(stderr, "consumer %s %s %s\n", k, done, p)
		return nil
	case "list":
		return listFile(sub, args[1:], stdout, auth.ReadConsumers, []string{"KEY", "NAME", "ROLE", "ADDED"}, func(c auth.Consumer) []string {
			role := string(c.Role)
			if role == "" {
				role = "-"
			}
			return []string{c.Key, c.Name, role, day(c.Added)}
		})
	}
	return sub.unknown()
}
