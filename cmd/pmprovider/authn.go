package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// authConfig is what the flags say about authentication.
type authConfig struct {
	users, tokens string // files; "" means the data directory's, if there
	oidc          auth.JWTConfig
	roleMap       string
}

// file returns the file flag names, or the data directory's default
// when it exists, or "" for none.
func authFile(flag, dataDir, name string) (string, error) {
	if flag != "" {
		if _, err := os.Stat(flag); err != nil {
			return "", err
		}
		return flag, nil
	}
	def := filepath.Join(dataDir, name)
	if _, err := os.Stat(def); err == nil {
		return def, nil
	}
	return "", nil
}

// authenticators returns the authenticators c configures: Basic over the
// users file, API tokens, JWTs of an OpenID Connect issuer. None means
// the provider serves only its loopback user, which is refused when it
// listens elsewhere.
func authenticators(ctx context.Context, c config, log *slog.Logger) (auth.Chain, error) {
	var chain auth.Chain
	users, err := authFile(c.auth.users, c.dataDir, "users.json")
	if err != nil {
		return nil, fmt.Errorf("--users: %w", err)
	}
	if users != "" {
		u, err := auth.LoadUsers(users, log)
		if err != nil {
			return nil, fmt.Errorf("--users: %w", err)
		}
		chain = append(chain, auth.NewBasic(u, nil))
		log.Info("HTTP Basic authentication", "users", users, "count", u.Len())
	}
	tokens, err := authFile(c.auth.tokens, c.dataDir, "tokens.json")
	if err != nil {
		return nil, fmt.Errorf("--tokens: %w", err)
	}
	if tokens != "" {
		tk, err := auth.LoadTokens(tokens, log)
		if err != nil {
			return nil, fmt.Errorf("--tokens: %w", err)
		}
		chain = append(chain, tk)
		log.Info("API token authentication", "tokens", tokens, "count", tk.Len())
	}
	if c.auth.oidc.Issuer != "" {
		cfg := c.auth.oidc
		cfg.Logger = log
		if c.auth.roleMap != "" {
			if cfg.RoleMap, err = auth.ParseRoleMap(c.auth.roleMap); err != nil {
				return nil, fmt.Errorf("--oidc-role-map: %w", err)
			}
		}
		j, err := auth.NewJWT(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("--oidc-issuer: %w", err)
		}
		chain = append(chain, j)
		log.Info("OpenID Connect JWT authentication", "issuer", cfg.Issuer, "audience", cfg.Audience)
	}
	if len(chain) == 0 {
		host, _, _ := net.SplitHostPort(c.addr)
		if !loopback(host) {
			return nil, errNoAuth(c.addr)
		}
		log.Info("no authentication configured: every request is the local user, who may do everything (loopback only)")
	}
	return chain, nil
}

func errNoAuth(addr string) error {
	return errors.New("--addr " + addr + " is reachable from other machines, so the provider needs authentication: " +
		"add users (pmprovider user add NAME --role ROLE) or API tokens (pmprovider token create --role ROLE) to the data directory, " +
		"or set --users FILE, --tokens FILE or --oidc-issuer URL; or listen on 127.0.0.1")
}
