package sparql

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// A VirtuosoLoader runs Virtuoso's bulk loader (ld_dir, rdf_loader_run)
// through its isql-vt client, to load a BulkWriter's document into a
// Virtuoso on the machine that holds the file.
type VirtuosoLoader struct {
	Addr     string // the server's SQL port, host:port
	User     string // default dba
	Password string // default dba
}

// Load loads the file name, which must be in a directory the server's
// DirsAllowed lists, and checkpoints. The file's graphs are its own; the
// loader's default graph is unused.
func (v VirtuosoLoader) Load(ctx context.Context, name string) error {
	abs, err := filepath.Abs(name)
	if err != nil {
		return err
	}
	if strings.ContainsAny(abs, "'\\") {
		return fmt.Errorf("virtuoso bulk load: %q: quotes and backslashes are not supported in the path", abs)
	}
	dir, file := filepath.Dir(abs), filepath.Base(abs)
	// ld_dir skips a file its load list has: one loaded before under
	// this name is forgotten first.
	if _, err := v.isql(ctx, fmt.Sprintf("delete from DB.DBA.LOAD_LIST where ll_file = '%s'; ld_dir('%s', '%s', 'urn:x-pmstore:bulk'); rdf_loader_run(); checkpoint;", abs, dir, file)); err != nil {
		return err
	}
	out, err := v.isql(ctx, fmt.Sprintf("select ll_error from DB.DBA.LOAD_LIST where ll_file = '%s' and ll_error is not null;", abs))
	if err != nil {
		return err
	}
	if !bytes.Contains(out, []byte("0 Rows.")) {
		return fmt.Errorf("virtuoso bulk load of %s: %s", abs, strings.TrimSpace(string(out)))
	}
	return nil
}

func (v VirtuosoLoader) isql(ctx context.Context, sql string) ([]byte, error) {
	user, password := v.User, v.Password
	if user == "" {
		user = "dba"
	}
	if password == "" {
		password = "dba"
	}
	out, err := exec.CommandContext(ctx, "isql-vt", v.Addr, user, password, "exec="+sql).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("*** Error")) {
		return nil, fmt.Errorf("isql-vt %s: %q: %v: %s", v.Addr, sql, err, bytes.TrimSpace(out))
	}
	return out, nil
}
