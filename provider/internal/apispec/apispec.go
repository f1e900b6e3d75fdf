// Package apispec checks HTTP exchanges against the published OpenAPI
// documents of the APIs the provider speaks besides OSLC (testdata/specs:
// TM Forum TMF628 v4, a Swagger 2.0 document converted to OpenAPI 3, and
// MEF LSO Legato performance monitoring and its notifications), with
// kin-openapi's validator: request and response alike. Tests use it.
package apispec

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Doc is an OpenAPI document served at one base URL.
type Doc struct {
	doc    *openapi3.T
	router routers.Router
}

// dir is the directory of the specifications.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "specs")
}

// load reads and checks a document once: the documents are large.
var load = sync.OnceValues(func() (map[string]*openapi3.T, error) {
	out := map[string]*openapi3.T{}
	b, err := os.ReadFile(filepath.Join(dir(), "tmf628_v4.json"))
	if err != nil {
		return nil, err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(b, &v2); err != nil {
		return nil, err
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, err
	}
	out["tmf628"] = v3
	for _, name := range []string{"mef_pm", "mef_pm_notif"} {
		l := openapi3.NewLoader()
		d, err := l.LoadFromFile(filepath.Join(dir(), name+".yaml"))
		if err != nil {
			return nil, err
		}
		out[name] = d
	}
	for name, d := range out {
		if err := d.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
			return nil, &docError{name, err}
		}
	}
	return out, nil
})

type docError struct {
	name string
	err  error
}

func (e *docError) Error() string { return e.name + ": " + e.err.Error() }

// open returns document name served at base (its servers replaced).
func open(t testing.TB, name, base string) *Doc {
	t.Helper()
	docs, err := load()
	if err != nil {
		t.Fatalf("load the OpenAPI documents: %v", err)
	}
	// A shallow copy with other servers: the router matches on them.
	d := *docs[name]
	d.Servers = openapi3.Servers{{URL: strings.TrimSuffix(base, "/")}}
	r, err := gorillamux.NewRouter(&d)
	if err != nil {
		t.Fatalf("router of %s: %v", name, err)
	}
	return &Doc{doc: &d, router: r}
}

// TMF628 is the TMF628 v4 document served at base (the API's base URL,
// with its base path).
func TMF628(t testing.TB, base string) *Doc { return open(t, "tmf628", base) }

// MEF is the MEF Legato performance monitoring document served at base.
func MEF(t testing.TB, base string) *Doc { return open(t, "mef_pm", base) }

// MEFNotifications is the MEF notification document, for listeners at
// base.
func MEFNotifications(t testing.TB, base string) *Doc { return open(t, "mef_pm_notif", base) }

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
}

// input routes req and makes the validator's request input.
func (d *Doc) input(t testing.TB, req *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	t.Helper()
	r := req.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := d.router.FindRoute(r)
	if err != nil {
		t.Fatalf("%s %s is not an operation of the document: %v", req.Method, req.URL, err)
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: options()}
}

// CheckRequest fails t unless req, with body, is a valid request.
func (d *Doc) CheckRequest(t testing.TB, req *http.Request, body []byte) {
	t.Helper()
	in := d.input(t, req, body)
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("request %s %s does not conform to the document: %v\nbody: %s", req.Method, req.URL, err, body)
	}
}

// Check fails t unless req (with reqBody) and the response (status,
// header, respBody) conform to the document.
func (d *Doc) Check(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	in := d.input(t, req, reqBody)
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("request %s %s does not conform to the document: %v\nbody: %s", req.Method, req.URL, err, reqBody)
	}
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                options(),
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("response %d to %s %s does not conform to the document: %v\nbody: %s", status, req.Method, req.URL, err, respBody)
	}
}
