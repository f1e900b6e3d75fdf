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
	consumers     string // OAuth 1.0a consumers file, likewise
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

// oauthConsumers returns the OAuth 1.0a configuration c asks for: consumers
// registered by `pmprovider consumer add`, their access tokens kept
// beside them; nil when there are none.
func oauthConsumers(c config) (*auth.OAuth1Config, error) {
	file, err := authFile(c.auth.consumers, c.dataDir, consumersFileName)
	if err != nil || file == "" {
		return nil, err
	}
	return &auth.OAuth1Config{ConsumersFile: file, TokensFile: filepath.Join(filepath.Dir(file), oauthTokensFileName)}, nil
}

// authenticators returns the authenticators c configures: Basic over the
// users file, API tokens, JWTs of an OpenID Connect issuer (OAuth 1.0a
// consumers, oauthConsumers, are the provider's to add). With none, and no OAuth
// consumers either, the provider serves only its loopback user, which is
// refused when it listens elsewhere.
func authenticators(ctx context.Context, c config, log *slog.Logger) (auth.Chain, error) {
	var chain auth.Chain
	consumers, err := oauthConsumers(c)
	if err != nil {
		return nil, fmt.Errorf("--oauth-consumers: %w", err)
	}
	users, err := authFile(c.auth.users, c.dataDir, usersFileName)
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
	tokens, err := authFile(c.auth.tokens, c.dataDir, tokensFileName)
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
	if len(chain) == 0 && consumers == nil {
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
		"or set --users FILE, --tokens FILE, --oidc-issuer URL or --oauth-consumers FILE; or listen on 127.0.0.1")
}
