package store

import (
	"bufio"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// A record is what a sorter sorts: a fixed-width value that encodes to
// and decodes from its width in bytes.
type record[T any] interface {
	width() int
	put(b []byte)    // b has width bytes
	get(b []byte) T  // from width bytes
	compare(b T) int // its order
}

// A sorter sorts more records than a bulk build keeps in memory (see
// EndBulk): it holds up to max of them, sorts a full buffer on a
// goroutine of its own while the next fills, so that the sorting runs on
// the other core, and writes each sorted buffer as a run to a temporary
// file beside the store, removed as it is made; reading the records
// merges the runs. A sorter that never filled a buffer sorts in memory.
type sorter[T record[T]] struct {
	dir     string
	max     int
	buf     []T
	runs    []*os.File
	pending chan error // the spill under way, if any
	n       int        // records added
}

// newSorter returns a sorter of records of type T that keeps at most max
// in each of its two buffers, spilling to files in dir.
func newSorter[T record[T]](dir string, n int) *sorter[T] {
	return &sorter[T]{dir: dir, max: max(n, 1)}
}

// add adds t.
func (s *sorter[T]) add(t T) error {
	if len(s.buf) == s.max {
		if err := s.spill(); err != nil {
			return err
		}
	}
	if s.buf == nil {
		s.buf = make([]T, 0, min(s.max, 1<<16))
	}
	s.buf = append(s.buf, t)
	s.n++
	return nil
}

// spill hands the buffer to a goroutine that sorts it and writes it as a
// run, once the run before is written.
func (s *sorter[T]) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, ".build-*")
	if err != nil {
		return fmt.Errorf("bulk build: %w", err)
	}
	// Unlinked at once: a crash leaves nothing behind.
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return fmt.Errorf("bulk build: %w", err)
	}
	s.runs = append(s.runs, f)
	buf := s.buf
	s.buf = make([]T, 0, cap(buf))
	s.pending = make(chan error, 1)
	go func(done chan<- error) { done <- writeRun(f, buf) }(s.pending)
	return nil
}

// wait waits for the spill under way, if any.
func (s *sorter[T]) wait() error {
	if s.pending == nil {
		return nil
	}
	err := <-s.pending
	s.pending = nil
	return err
}

// writeRun sorts buf and writes it to f.
func writeRun[T record[T]](f *os.File, buf []T) error {
	slices.SortFunc(buf, func(a, b T) int { return a.compare(b) })
	var zero T
	w := bufio.NewWriterSize(f, 1<<18)
	b := make([]byte, zero.width())
	for _, t := range buf {
		t.put(b)
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("bulk build: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("bulk build: %w", err)
	}
	return nil
}

// close removes the runs.
func (s *sorter[T]) close() {
	s.wait()
	for _, f := range s.runs {
		f.Close()
	}
	s.runs, s.buf = nil, nil
}

// merge returns the records in order: the buffer's, sorted in memory, and
// the runs', merged.
func (s *sorter[T]) merge() (*merger[T], error) {
	if len(s.runs) > 0 && len(s.buf) > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	if err := s.wait(); err != nil {
		return nil, err
	}
	m := &merger[T]{}
	if len(s.runs) == 0 {
		slices.SortFunc(s.buf, func(a, b T) int { return a.compare(b) })
		m.mem = s.buf
		return m, nil
	}
	var zero T
	for _, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("bulk build: %w", err)
		}
		r := &runReader[T]{r: bufio.NewReaderSize(f, 1<<17), b: make([]byte, zero.width())}
		ok, err := r.advance()
		if err != nil {
			return nil, err
		}
		if ok {
			m.h = append(m.h, r)
		}
	}
	heap.Init(&m.h)
	return m, nil
}

// A merger yields the records of a sorter in order.
type merger[T record[T]] struct {
	mem []T        // sorted in memory, or
	h   runHeap[T] // the runs, by their next record
}

func (m *merger[T]) next() (t T, ok bool, err error) {
	if m.h == nil {
		if len(m.mem) == 0 {
			return t, false, nil
		}
		t, m.mem = m.mem[0], m.mem[1:]
		return t, true, nil
	}
	if len(m.h) == 0 {
		return t, false, nil
	}
	r := m.h[0]
	t = r.cur
	more, err := r.advance()
	if err != nil {
		return t, false, err
	}
	if more {
		heap.Fix(&m.h, 0)
	} else {
		heap.Pop(&m.h)
	}
	return t, true, nil
}

// A runReader reads the records of one run.
type runReader[T record[T]] struct {
	r   *bufio.Reader
	b   []byte
	cur T
}

func (r *runReader[T]) advance() (bool, error) {
	if _, err := io.ReadFull(r.r, r.b); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("bulk build: read run: %w", err)
	}
	r.cur = r.cur.get(r.b)
	return true, nil
}

type runHeap[T record[T]] []*runReader[T]

func (h runHeap[T]) Len() int           { return len(h) }
func (h runHeap[T]) Less(i, j int) bool { return h[i].cur.compare(h[j].cur) < 0 }
func (h runHeap[T]) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap[T]) Push(x any)        { *h = append(*h, x.(*runReader[T])) }
func (h *runHeap[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
