package provider_test

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// module is the module path; the rules below name packages relative to it.
const module = "github.com/oslc-pm/pmprovider"

// imports returns, for every package of the module, its imports within the
// module (relative paths; "" for none), direct or, with deps, transitive.
// Test files do not count.
func imports(t *testing.T, deps bool) map[string][]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	args := []string{"list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./..."}
	if deps {
		args = []string{"list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./..."}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	require.NoError(t, err, "go list")
	m := make(map[string][]string)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pkg := rel(fields[0])
		m[pkg] = nil
		for _, imp := range fields[1:] {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				m[pkg] = append(m[pkg], rel(imp))
			}
		}
	}
	return m
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// TestArchitecture keeps the layout of the house (README, Layout): data
// flows one way, the API does not know the UI, only cmd wires, the store
// knows no domain, and the query engine reaches the store only through its
// adapter.
func TestArchitecture(t *testing.T) {
	direct, deps := imports(t, false), imports(t, true)
	require.Contains(t, direct, "provider/oslc")
	require.Contains(t, direct, "store")

	for pkg, imps := range deps {
		for _, imp := range imps {
			switch {
			case under(pkg, "provider/oslc") && under(imp, "provider/ui"):
				t.Errorf("%s imports %s: the API must not depend on the UI", pkg, imp)
			case imp == "provider" && !under(pkg, "cmd"):
				t.Errorf("%s imports provider: only cmd wires the provider", pkg)
			case under(imp, "provider") && !under(pkg, "cmd") && !under(pkg, "provider"):
				t.Errorf("%s imports %s: the generic layers (store, query, codec, shapes, vocab) do not depend on the provider", pkg, imp)
			case under(pkg, "store") && !under(pkg, "store/sparql") && under(imp, "vocab"):
				// store/sparql implements query's contract, as
				// query/boltsource does, so it depends on query, which
				// knows vocab; it names no vocabulary itself.
				t.Errorf("%s imports %s: the store knows no domain vocabulary", pkg, imp)
			case under(pkg, "query") && !under(pkg, "query/boltsource") && under(imp, "store"):
				t.Errorf("%s imports %s: the query engine reaches the store only through query/boltsource", pkg, imp)
			case under(pkg, "codec") && (under(imp, "store") || under(imp, "query")):
				t.Errorf("%s imports %s: the codecs are a leaf", pkg, imp)
			}
		}
	}
	for _, imp := range direct["vocab"] {
		t.Errorf("vocab imports %s: vocab is a leaf", imp)
	}
}

// domainIRIs are the namespaces of the provider's domain that the store
// must not name (which predicates it indexes is passed in by cmd).
var domainIRIs = regexp.MustCompile(`open-services\.net/ns/(perfmon|pm|ems|crtv)#|purl\.org/dc/terms|oslc-pm\.github\.io/ns`)

// TestStoreNamesNoDomain: the store's code (comments aside) holds no IRI
// of the pm, ems, pmj or dcterms vocabularies and no vocab identifier.
func TestStoreNamesNoDomain(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "store", "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING && domainIRIs.MatchString(n.Value) {
					t.Errorf("%s names %s: the store is domain-agnostic; pass what to index in store.Options", fset.Position(n.Pos()), n.Value)
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "vocab" {
					t.Errorf("%s names vocab.%s: the store is domain-agnostic", fset.Position(n.Pos()), n.Sel.Name)
				}
			}
			return true
		})
	}
}
