package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of the functions that edit the users, tokens and OAuth consumers
// files.
var (
	// ErrNotFound means no user, token or consumer has the name, id or key
	// given.
	ErrNotFound = errors.New("not found")
	// ErrExists means a user, token or consumer of that name, id or key is
	// already in the file.
	ErrExists = errors.New("already exists")
)

// reloadInterval is how often a running server looks at a watched file:
// often enough that a removed user is locked out within a second, rarely
// enough that the stat costs nothing per request.
const reloadInterval = time.Second

// maxFileSize bounds the users, tokens, key, OAuth consumers and OAuth
// tokens files read, so that a wrong path (a log, a device) fails instead
// of filling memory.
const maxFileSize = 16 << 20

// watchedFile notices when a file is replaced, by comparing what stat says
// with what it said when the contents in use were read. The commands
// replace files by rename, so the identity (inode) changes on every write;
// mtime and size cover editors that write in place.
type watchedFile struct {
	path string
	next atomic.Int64 // unix nanoseconds of the next stat
	mu   sync.Mutex
	fi   os.FileInfo
}

// due says whether the file should be looked at now, and claims that look
// for the caller: concurrent callers see false until the next interval.
func (w *watchedFile) due(now time.Time) bool {
	next := w.next.Load()
	if now.UnixNano() < next {
		return false
	}
	return w.next.CompareAndSwap(next, now.Add(reloadInterval).UnixNano())
}

// changed says whether the file differs from the one last read.
func (w *watchedFile) changed() bool {
	fi, err := os.Stat(w.path)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil || w.fi == nil {
		// A missing file is an error to report by reading it.
		return true
	}
	return !os.SameFile(fi, w.fi) || !fi.ModTime().Equal(w.fi.ModTime()) || fi.Size() != w.fi.Size()
}

// read returns the file's contents and remembers the identity of what it
// read (from the open file, so that a rename between the stat and the
// read is not missed).
func (w *watchedFile) read() ([]byte, error) {
	b, fi, err := readFileInfo(w.path)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.fi = fi
	w.mu.Unlock()
	return b, nil
}

func readFileInfo(path string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > maxFileSize {
		return nil, nil, fmt.Errorf("%s: larger than %d bytes", path, maxFileSize)
	}
	return b, fi, nil
}

// readIfExists returns the entries decode finds in the file at path; none
// when it does not exist yet, as before the first command that writes it.
func readIfExists[T any](path string, decode func(path string, b []byte) ([]T, error)) ([]T, error) {
	b, _, err := readFileInfo(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decode(path, b)
}

// decodeJSONFile decodes b, the contents of path, into v, saying where a
// syntax error is.
func decodeJSONFile(path string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(b[:se.Offset], []byte("\n"))
			return fmt.Errorf("%s:%d: %v", path, line, err)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSONFile replaces path with v as indented JSON, readable by its
// owner only: a crash leaves the old file or the new one, never half of
// one, and a running server never reads a partial write.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; not every system can sync a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
