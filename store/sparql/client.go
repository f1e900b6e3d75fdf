package sparql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oslc-pm/pmprovider/store"
)

// Endpoint is where and how to reach a SPARQL 1.1 Protocol service.
type Endpoint struct {
	Query  string // the query endpoint URL
	Update string // the update endpoint URL; Query if empty
	// User and Password authenticate with HTTP Basic; Token, if set
	// instead, is sent as a bearer token.
	User, Password string
	Token          string
	// Timeout bounds each request of the default client: 0 means 60 s.
	// A large store answers some queries slowly (see doc.go, Indexes).
	Timeout time.Duration
	// Client sends the requests; nil means a client with Timeout.
	Client *http.Client
}

// DefaultTimeout bounds a request to the endpoint when Endpoint.Timeout
// is 0.
const DefaultTimeout = 60 * time.Second

// client speaks the SPARQL 1.1 Protocol: queries and updates POSTed as
// forms, results read as application/sparql-results+json.
type client struct {
	ep Endpoint
	hc *http.Client
}

func newClient(ep Endpoint) *client {
	if ep.Update == "" {
		ep.Update = ep.Query
	}
	hc := ep.Client
	if hc == nil {
		timeout := ep.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		hc = &http.Client{Timeout: timeout, Transport: &http.Transport{
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     30 * time.Second,
		}}
	}
	return &client{ep: ep, hc: hc}
}

// binding is one solution: variable name to term.
type binding map[string]jsonTerm

type jsonTerm struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Lang     string `json:"xml:lang"`
	Datatype string `json:"datatype"`
}

type results struct {
	Boolean *bool `json:"boolean"`
	Results struct {
		Bindings []binding `json:"bindings"`
	} `json:"results"`
}

// selectRows runs a SELECT query.
func (c *client) selectRows(ctx context.Context, q string) ([]binding, error) {
	var res results
	if err := c.do(ctx, c.ep.Query, "query", q, &res); err != nil {
		return nil, err
	}
	return res.Results.Bindings, nil
}

// ask runs an ASK query.
func (c *client) ask(ctx context.Context, q string) (bool, error) {
	var res results
	if err := c.do(ctx, c.ep.Query, "query", q, &res); err != nil {
		return false, err
	}
	if res.Boolean == nil {
		return false, fmt.Errorf("sparql: ASK answered without a boolean")
	}
	return *res.Boolean, nil
}

// update runs a SPARQL Update request. A request that the store rolled
// back for a deadlock with another writer (Virtuoso: SQL state 40001;
// every write updates the change log's counter) is sent again, a few
// times: it changed nothing, and its conditions are read anew.
func (c *client) update(ctx context.Context, u string) error {
	var err error
	for try := range maxDeadlocks {
		if err = c.do(ctx, c.ep.Update, "update", u, nil); !deadlocked(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(try+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// maxDeadlocks is how often update tries a request that deadlocks.
const maxDeadlocks = 8

func deadlocked(err error) bool {
	var se *Error
	return errors.As(err, &se) && (strings.Contains(se.Body, "40001") || strings.Contains(strings.ToLower(se.Body), "deadlock"))
}

// An Error is a request the SPARQL service refused.
type Error struct {
	Status int
	Body   string
	Query  string
}

func (e *Error) Error() string {
	// Stores echo the request in their error bodies (Virtuoso does, whole).
	return fmt.Sprintf("sparql: HTTP %d: %s (request: %s)", e.Status, clip(strings.TrimSpace(e.Body), 500), clip(e.Query, 300))
}

// clip shortens s to at most n bytes and a mark.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func (c *client) do(ctx context.Context, endpoint, param, text string, out any) error {
	form := url.Values{param: {text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/sparql-results+json")
	switch {
	case c.ep.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.ep.Token)
	case c.ep.User != "":
		req.SetBasicAuth(c.ep.User, c.ep.Password)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return unavailable(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return unavailable(err)
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Status: resp.StatusCode, Body: string(body), Query: text}
		if resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout {
			return unavailable(e)
		}
		return e
	}
	// Virtuoso answers a query that ran past its MaxQueryExecutionTime
	// with what it found so far ("anytime" results), marked only by this
	// header: too few members, or a wrong total, would pass for the
	// answer.
	if state := resp.Header.Get("X-SQL-State"); state == "S1TAT" {
		return fmt.Errorf("%w: the store answered in part, having run out of time (%s: %s)", store.ErrUnavailable, state, resp.Header.Get("X-SQL-Message"))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(out); err != nil {
		return fmt.Errorf("sparql: read results: %w", err)
	}
	return nil
}

// unavailable marks a failure to reach the service as store.ErrUnavailable.
func unavailable(err error) error {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "connection reset") {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	var se *Error
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return err
}
