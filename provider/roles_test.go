package provider_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// roleAuth is an authenticator for the role matrix: "Authorization: Role
// NAME" is a principal of that role, named "NAME-user". Agents are bound
// to the job in bound. The authenticators themselves are tested in
// package auth and, end to end, in cmd/pmprovider.
type roleAuth struct{ bound *string }

func (a roleAuth) Authenticate(r *http.Request) (*auth.Principal, error) {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Role ")
	if !ok {
		return nil, auth.ErrNoCredentials
	}
	role, err := auth.ParseRole(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", auth.ErrInvalid, err)
	}
	p := &auth.Principal{Name: v + "-user", Role: role, Scheme: "test"}
	if role == auth.Agent {
		p.Jobs = []string{*a.bound}
	}
	return p, nil
}

func (roleAuth) Challenge() string { return `Role realm="test"` }

// TestRoleMatrix tries every operation on every type of resource as every
// role (the README's matrix; MEF's job management matrix for jobs): an
// allowed cell succeeds, a refused one is 403 with an oslc:Error and
// changes nothing in the store; without credentials every cell is 401
// with a challenge.
func TestRoleMatrix(t *testing.T) {
	var bound string
	env := &jobEnv{}
	env.authn = auth.Chain{roleAuth{bound: &bound}}
	env = newJobEnvWith(t, env)
	admin := []string{"Authorization", "Role admin"}
	as := func(role string, h ...string) []string {
		return append([]string{"Authorization", "Role " + role}, h...)
	}
	ttl := []string{"Content-Type", "text/turtle"}

	res := env.createResourceAs(t, "web1", admin)
	pushJob := func() string {
		r := env.do(t, "POST", "/oslc/jobs", jobTTL([]string{res}, func(p map[string]string) {
			p["pmj:collector"] = "pmj:PushCollector"
			p["pmj:granularity"] = `"PT1M"^^xsd:duration`
			p["pmj:performanceIndicator"] = "pm:CpuUsed"
		}), append(admin, ttl...)...)
		require.Equal(t, 201, r.status, "%s", r.body)
		return r.header.Get("Location")
	}
	bound = pushJob()
	unbound := pushJob()
	env.advance(t, time.Date(2026, 11, 24, 10, 1, 40, 0, time.UTC))
	pushAt := []time.Time{time.Date(2026, 11, 24, 10, 1, 10, 0, time.UTC)}
	record := func() string {
		r := env.do(t, "POST", bound+"/push", pushTTL("<#rec%d>", res, "pm:CpuUsed", pushAt, []int{42}), append(admin, ttl...)...)
		require.Equal(t, 201, r.status, "%s", r.body)
		g := graphOf(t, r, bound+"/push")
		return strs(objects(g, mustIRI(t, bound), "http://www.w3.org/2000/01/rdf-schema#member"))[0]
	}
	fresh := func(path string) func() string {
		return func() string {
			switch path {
			case "resource":
				return env.createResourceAs(t, "web-x", admin)
			case "record":
				return record()
			case "job":
				j, _ := env.createJobAs(t, jobTTL([]string{res}, nil), admin)
				return j.String()
			case "suspended job":
				j, _ := env.createJobAs(t, jobTTL([]string{res}, nil), admin)
				require.Equal(t, 200, env.do(t, "POST", j.String()+"/suspend", "", admin...).status)
				return j.String()
			}
			return ""
		}
	}
	someRecord, someJob := record(), bound
	from := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	adhoc := adhocTTL([]string{res}, from, from.Add(time.Minute), "PT1M", "")
	recordTTL := pushTTL("<%.0d>", res, "pm:CpuUsed", pushAt, []int{7})
	resourceTTL := `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web-y" ; crtv:fqdn "web-y.example.org" .`

	type cell struct {
		name   string
		op     auth.Operation
		method string
		target func() string // the URL, made afresh for writes
		path   string        // appended to target
		body   func(target string) string
	}
	static := func(u string) func() string { return func() string { return u } }
	get := func(name, u string) cell {
		return cell{name: name, op: auth.Read, method: "GET", target: static(u)}
	}
	// A PUT body is the resource as it is, with a new description; its
	// ETag goes in If-Match.
	var ifMatch string
	putBack := func(target string) string {
		r := env.do(t, "GET", target, "", append(admin, "Accept", "text/turtle")...)
		require.Equal(t, 200, r.status)
		ifMatch = r.header.Get("ETag")
		return strings.Replace(string(r.body), "dcterms:title", "dcterms:description \"edited\" ; dcterms:title", 1)
	}
	cells := []cell{
		get("view the catalog", env.URL+"/oslc/catalog"),
		get("view all records", env.URL+"/oslc/records"),
		get("view a record", someRecord),
		get("view all resources", env.URL+"/oslc/resources"),
		get("view a resource", res),
		get("view all jobs", env.URL+"/oslc/jobs"),
		get("view a job", someJob),
		get("view all reports", env.URL+"/oslc/reports"),
		get("view all tracking records", env.URL+"/oslc/tracking"),
		get("view all notifications", env.URL+"/oslc/notifications"),
		get("view all ad-hoc collections", env.URL+"/oslc/adhoc"),
		get("open a selection dialog", env.URL+"/ui/select/records"),
		{"create a record", auth.Write, "POST", static(env.URL + "/oslc/records"), "", func(string) string { return recordTTL }},
		{"update a record", auth.Write, "PUT", fresh("record"), "", putBack},
		{"delete a record", auth.Write, "DELETE", fresh("record"), "", nil},
		{"create a resource", auth.Write, "POST", static(env.URL + "/oslc/resources"), "", func(string) string { return resourceTTL }},
		{"update a resource", auth.Write, "PUT", fresh("resource"), "", putBack},
		{"delete a resource", auth.Write, "DELETE", fresh("resource"), "", nil},
		{"create an ad-hoc collection", auth.Write, "POST", static(env.URL + "/oslc/adhoc"), "", func(string) string { return adhoc }},
		{"create a job", auth.JobWrite, "POST", static(env.URL + "/oslc/jobs"), "", func(string) string { return jobTTL([]string{res}, nil) }},
		{"update a job", auth.JobWrite, "PUT", fresh("job"), "", putBack},
		{"suspend a job", auth.JobWrite, "POST", fresh("job"), "/suspend", nil},
		{"resume a job", auth.JobWrite, "POST", fresh("suspended job"), "/resume", nil},
		{"cancel a job", auth.JobWrite, "POST", fresh("job"), "/cancel", nil},
		{"delete a job", auth.JobWrite, "DELETE", fresh("job"), "", nil},
		{"push to its job", auth.Push, "POST", static(bound), "/push", func(string) string {
			return pushTTL("<#p%d>", res, "pm:CpuUsed", pushAt, []int{9})
		}},
		{"push to another job", auth.Push, "POST", static(unbound), "/push", func(string) string {
			return pushTTL("<#p%d>", res, "pm:CpuUsed", pushAt, []int{9})
		}},
	}
	for _, c := range cells {
		for _, role := range append([]string{""}, rolesOf()...) {
			name := role
			if name == "" {
				name = "anonymous"
			}
			t.Run(c.name+"/"+name, func(t *testing.T) {
				target := c.target()
				ifMatch = "*"
				body := ""
				if c.body != nil {
					body = c.body(target)
				}
				h := append([]string{"Accept", "text/turtle", "If-Match", ifMatch}, ttl...)
				if role != "" {
					h = as(role, h...)
				}
				before := exportStore(t, env.db)
				r := env.do(t, c.method, target+c.path, body, h...)
				want := wantStatus(role, c.op, c.name)
				switch want {
				case http.StatusOK:
					assert.Less(t, r.status, 300, "%s %s as %s: %s", c.method, target+c.path, name, r.body)
					return
				case http.StatusUnauthorized:
					assert.Equal(t, want, r.status, "%s", r.body)
					assert.Contains(t, r.header.Values("WWW-Authenticate"), `Role realm="test"`)
				default:
					assert.Equal(t, want, r.status, "%s", r.body)
				}
				assert.NotEmpty(t, oslcError(t, r))
				assert.Equal(t, before, exportStore(t, env.db), "a refused request changes nothing")
			})
		}
	}

	// The creator of what a principal makes is that principal, whatever
	// the client says.
	r := env.do(t, "POST", "/oslc/resources", strings.Replace(resourceTTL, `dcterms:title "web-y"`, `dcterms:title "web-y" ; dcterms:creator "mallory"`, 1),
		as("customer", append(ttl, "From", "mallory@example.org", "Accept", "text/turtle")...)...)
	require.Equal(t, 201, r.status, "%s", r.body)
	loc := r.header.Get("Location")
	g := graphOf(t, r, loc)
	assert.Equal(t, []string{"customer-user"}, strs(objects(g, mustIRI(t, loc), "http://purl.org/dc/terms/creator")))
}

func rolesOf() []string {
	var out []string
	for _, r := range auth.Roles {
		out = append(out, string(r))
	}
	return out
}

// wantStatus is the matrix: 200 stands for any success.
func wantStatus(role string, op auth.Operation, cell string) int {
	if role == "" {
		return http.StatusUnauthorized
	}
	allowed := map[string][]auth.Operation{
		"admin":      {auth.Read, auth.Write, auth.JobWrite, auth.Push},
		"customer":   {auth.Read, auth.Write, auth.JobWrite, auth.Push},
		"other-pss":  {auth.Read, auth.Write, auth.JobWrite, auth.Push},
		"governance": {auth.Read},
		"agent":      {auth.Push},
	}[role]
	if !slices.Contains(allowed, op) || (role == "agent" && cell == "push to another job") {
		return http.StatusForbidden
	}
	return http.StatusOK
}
