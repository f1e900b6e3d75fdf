package jobview

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// The faces' HTTP plumbing: what TMF628 and MEF answer alike, each in
// its own error format.

// A Route is a path of a face under the provider's base path, its
// methods, the operation of the role matrix it is, and its handler.
type Route struct {
	Path    string
	Methods []string
	Op      auth.Operation
	Handler http.HandlerFunc
}

// WriteJSON writes v as JSON with status, or internal (the face's own
// error body) with a 500 when v cannot be marshalled.
func WriteJSON(w http.ResponseWriter, status int, v any, internal string) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(internal)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// ResourceName is the first segment of r's path under base, the base
// path of a face: the kind of resource r is about, for error messages.
func ResourceName(r *http.Request, base string) string {
	p := strings.TrimPrefix(r.URL.Path[strings.Index(r.URL.Path, base)+len(base):], "/")
	name, _, _ := strings.Cut(p, "/")
	return name
}

// Count reads the value v of the paging parameter k (offset or limit).
func Count(k, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: must be a non-negative integer, not %q", k, v)
	}
	return n, nil
}

// Window returns the page of items from offset, at most limit of them
// (all when limit is negative), never nil, and sets the X-Total-Count and
// X-Result-Count headers the faces answer a list with.
func Window[T any](w http.ResponseWriter, items []T, offset, limit int) []T {
	total := len(items)
	items = items[min(offset, len(items)):]
	if limit >= 0 && limit < len(items) {
		items = items[:limit]
	}
	if items == nil {
		items = []T{}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	w.Header().Set("X-Result-Count", strconv.Itoa(len(items)))
	return items
}
